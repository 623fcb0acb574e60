namespace EdgeInfinite.Corpus.Corpus;

/// <summary>The kinds of synthetic samples.</summary>
public enum TaskKind
{
    /// <summary>A fact given early in a long conversation and asked for much later ("what did I tell you my pet's name was?").</summary>
    FactRecall,

    /// <summary>A needle sentence inside a long document, asked for after the document.</summary>
    NeedleRetrieval,

    /// <summary>Several facts given early, each asked for later.</summary>
    MultiFactRecall,

    /// <summary>Ordinary short exchanges (greetings, small arithmetic, capitals, colours of things).</summary>
    ShortExchange,

    /// <summary>A tool call: <c>&lt;tool_call&gt;{"name":...,"arguments":...}&lt;/tool_call&gt;</c>, a tool message, then the answer.</summary>
    ToolCall,
}

namespace EdgeInfinite.Corpus.Recall;

/// <summary>The shape of a recall prompt.</summary>
public enum RecallTaskFormat
{
    /// <summary>A needle sentence inside a document in one user message, the question after the document.</summary>
    Needle,

    /// <summary>A personal fact stated in a conversation turn, small talk around it, the question as the last user turn.</summary>
    Conversation,

    /// <summary>Three personal facts stated in one conversation turn, small talk around it, one of them asked as the last user turn.</summary>
    MultiFact,
}

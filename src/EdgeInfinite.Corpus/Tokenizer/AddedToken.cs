namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>A token matched whole before pre-tokenization (Hugging Face's <c>added_tokens</c>).</summary>
/// <param name="Id">The id.</param>
/// <param name="Content">The text.</param>
/// <param name="Special">Whether decoding with special tokens skipped drops it (<c>&lt;|im_end|&gt;</c>: yes; <c>&lt;tool_call&gt;</c>: no).</param>
public sealed record AddedToken(int Id, string Content, bool Special);

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>A sample's token ids with a loss mask.</summary>
/// <param name="Ids">The token ids of the sample's ChatML text followed by <c>&lt;|endoftext|&gt;</c>.</param>
/// <param name="Targets">Per id, whether it is an assistant token the model should learn to produce (assistant content and its <c>&lt;|im_end|&gt;</c>).</param>
/// <param name="Answers">Per id, whether it is part of the content of an assistant message that answers a recall question (the recalled value and its full stop).</param>
public sealed record EncodedSample(int[] Ids, bool[] Targets, bool[] Answers);

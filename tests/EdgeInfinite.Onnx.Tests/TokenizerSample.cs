namespace EdgeInfinite.Onnx.Tests;

/// <summary>One encoding of fixtures/tokenizer/reference.json.</summary>
/// <param name="Text">The source text.</param>
/// <param name="Ids">HF tokenizers' <c>encode(text, add_special_tokens=False)</c>.</param>
/// <param name="Decoded">HF tokenizers' <c>decode(ids)</c>, which keeps special tokens.</param>
public sealed record TokenizerSample(string Text, int[] Ids, string Decoded);

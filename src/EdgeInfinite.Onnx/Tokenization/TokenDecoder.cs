using Microsoft.ML.OnnxRuntimeGenAI;

namespace EdgeInfinite.Onnx.Tokenization;

/// <summary>Incremental detokenisation of one response (ONNX Runtime GenAI's <c>TokenizerStream</c>). Not thread-safe.</summary>
public sealed class TokenDecoder : IDisposable
{
    private readonly TokenizerStream _stream;

    internal TokenDecoder(TokenizerStream stream) => _stream = stream;

    /// <summary>Adds one token and returns the text it completes (possibly empty while a UTF-8 sequence is open).</summary>
    /// <param name="token">The token id.</param>
    /// <returns>The new text.</returns>
    public string Next(int token) => _stream.Decode(token);

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}

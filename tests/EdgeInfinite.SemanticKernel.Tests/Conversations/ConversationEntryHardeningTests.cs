using System.Security.Cryptography;
using System.Text.Json;
using EdgeInfinite.SemanticKernel.Conversations;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests.Conversations;

/// <summary>
/// Stored conversations are untrusted (anyone who can write the cache can craft one; the SHA-256 is unkeyed), and the
/// transcript holds what the app's tools returned: a NaN tool result is stored, not a failed save, and a malformed
/// string length is refused naming the field instead of BinaryReader's "Too many bytes in what should have been a
/// 7-bit encoded integer".
/// </summary>
public sealed class ConversationEntryHardeningTests
{
    private const string Revision = "rev-1";

    [Fact]
    public void Write_ToolResultAndArgumentsNotFinite_StoresNamedLiteralsThatReadBack()
    {
        var entry = Entry(
        [
            new ChatMessage(ChatRole.User, "divide 0 by 0"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "divide", new Dictionary<string, object?> { ["x"] = double.PositiveInfinity })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", double.NaN)]),
        ]);

        byte[] bytes = ConversationEntrySerializer.Write(entry, Revision, compress: false);
        var back = ConversationEntrySerializer.Read(bytes, Revision, "conv", 100, 1 << 20, out _);

        var result = Assert.IsType<FunctionResultContent>(back.Transcript[2].Contents[0]);
        Assert.Equal("NaN", Assert.IsType<JsonElement>(result.Result).GetString());
        var call = Assert.IsType<FunctionCallContent>(back.Transcript[1].Contents[0]);
        Assert.Equal("Infinity", Assert.IsType<JsonElement>(call.Arguments!["x"]).GetString());
    }

    [Fact]
    public void Read_MalformedRevisionLengthWithValidChecksum_ThrowsNamingTheField()
    {
        byte[] bytes = ConversationEntrySerializer.Write(Entry([new ChatMessage(ChatRole.User, "hi")]), Revision, compress: false);
        const int body = 16;
        bytes.AsSpan(body, 5).Fill(0xFF);
        int bodyLength = BitConverter.ToInt32(bytes, 12);
        SHA256.HashData(bytes.AsSpan(0, body + bodyLength), bytes.AsSpan(body + bodyLength, 32));

        var ex = Assert.Throws<InvalidDataException>(() => ConversationEntrySerializer.Read(bytes, Revision, "conv", 100, 1 << 20, out _));

        Assert.Contains("packageRevision", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Too many bytes", ex.Message.Split('(')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PointerWithMalformedKeyLength_ThrowsInvalidDataExceptionNamingTheKey()
    {
        byte[] bytes = [.. "EICPTR01"u8, .. BitConverter.GetBytes(1L), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, .. new byte[32]];
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));

        // Before: BinaryReader's FormatException escaped, a type the store does not document.
        var ex = Assert.Throws<InvalidDataException>(() => ConversationPointer.Parse(bytes, "edgeinfinite:rev:entry:conv:"));

        Assert.Contains("entry key", ex.Message, StringComparison.Ordinal);
    }

    private static ConversationEntry Entry(IList<ChatMessage> transcript) =>
        new("conv", 1, transcript, [1, 2, 3], true, [], [], null);
}

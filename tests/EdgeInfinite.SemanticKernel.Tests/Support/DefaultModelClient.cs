namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>One client over the embedded default model (models/edgeinfinite-tiny), shared by a test class.</summary>
public sealed class DefaultModelClient : IDisposable
{
    public EdgeInfiniteChatClient Client { get; } = new(new EdgeInfiniteChatOptions { IntraOpThreads = 1 });

    public void Dispose() => Client.Dispose();
}

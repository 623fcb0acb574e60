using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeInfinite.SemanticKernel.Tests.Conversations;

/// <summary>The DI registrations pick the container's <see cref="IDistributedCache"/> as the conversation store.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class ConversationStoreRegistrationTests(TinyChatPackage package)
{
    [Fact]
    public void AddEdgeInfiniteChatClient_ContainerHasDistributedCache_ClientUsesItAsTheStore()
    {
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddEdgeInfiniteChatClient(package.PackagePath);
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<EdgeInfiniteChatClient>();

        Assert.Same(provider.GetRequiredService<IDistributedCache>(), client.ConversationStore);
    }

    [Fact]
    public void AddEdgeInfiniteChatCompletion_OptionsSetAStore_TheOptionsStoreWins()
    {
        var own = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddEdgeInfiniteChatCompletion(o => { o.PackagePath = package.PackagePath; o.ConversationStore = own; }, serviceId: "local");
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredKeyedService<EdgeInfiniteChatClient>("local");

        Assert.Same(own, client.ConversationStore);
    }

    [Fact]
    public void AddEdgeInfiniteChatClient_RegisteredStoreTurnedOff_NoStore()
    {
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddEdgeInfiniteChatClient(o => { o.PackagePath = package.PackagePath; o.UseRegisteredConversationStore = false; });
        using var provider = services.BuildServiceProvider();

        Assert.Null(provider.GetRequiredService<EdgeInfiniteChatClient>().ConversationStore);
    }

    [Fact]
    public void AddEdgeInfiniteChatClient_NoDistributedCache_NoStore()
    {
        var services = new ServiceCollection();
        services.AddEdgeInfiniteChatClient(package.PackagePath);
        using var provider = services.BuildServiceProvider();

        Assert.Null(provider.GetRequiredService<EdgeInfiniteChatClient>().ConversationStore);
        Assert.IsType<EdgeInfiniteChatClient>(provider.GetRequiredService<IChatClient>().GetService<EdgeInfiniteChatClient>());
    }

    [Theory]
    [InlineData("sliding")]
    [InlineData("absolute")]
    [InlineData("prefix")]
    [InlineData("size")]
    public void Validate_BadStoreOption_ThrowsArgumentExceptionNamingIt(string bad)
    {
        var options = new EdgeInfiniteChatOptions();
        switch (bad)
        {
            case "sliding": options.ConversationStoreOptions.SlidingExpiration = TimeSpan.Zero; break;
            case "absolute": options.ConversationStoreOptions.AbsoluteExpiration = TimeSpan.FromSeconds(-1); break;
            case "prefix": options.ConversationStoreOptions.KeyPrefix = " "; break;
            default: options.ConversationStoreOptions.MaxEntryBytes = 10; break;
        }

        var ex = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(bad switch { "sliding" => "SlidingExpiration", "absolute" => "AbsoluteExpiration", "prefix" => "KeyPrefix", _ => "MaxEntryBytes" }, ex.ParamName, StringComparison.Ordinal);
    }

    [Fact]
    public void Clone_StoreOptions_AreCopiedNotShared()
    {
        var options = new EdgeInfiniteChatOptions();
        var copy = options.Clone();
        copy.ConversationStoreOptions.KeyPrefix = "other";

        Assert.Equal("edgeinfinite", options.ConversationStoreOptions.KeyPrefix);
    }
}

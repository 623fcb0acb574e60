using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;
using Microsoft.SemanticKernel.TextGeneration;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Registration on <see cref="IServiceCollection"/> and <see cref="IKernelBuilder"/>: descriptors and real resolution.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class DependencyInjectionTests(TinyChatPackage package)
{
    [Fact]
    public void AddEdgeInfiniteChatCompletion_NoServiceId_RegistersUnkeyedSingletons()
    {
        var services = new ServiceCollection();

        services.AddEdgeInfiniteChatCompletion(package.PackagePath);

        foreach (var type in new[] { typeof(IChatCompletionService), typeof(ITextGenerationService), typeof(EdgeInfiniteChatClient) })
        {
            var descriptor = Assert.Single(services, d => d.ServiceType == type);
            Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
            Assert.False(descriptor.IsKeyedService);
            Assert.NotNull(descriptor.ImplementationFactory);
        }
    }

    [Fact]
    public void AddEdgeInfiniteChatCompletion_NoServiceId_ResolvesOneSharedClient()
    {
        var services = new ServiceCollection();
        services.AddEdgeInfiniteChatCompletion(package.PackagePath);
        using var provider = services.BuildServiceProvider();

        var chat = provider.GetRequiredService<IChatCompletionService>();
        var text = provider.GetRequiredService<ITextGenerationService>();

        var service = Assert.IsType<EdgeInfiniteChatCompletionService>(chat);
        Assert.Same(chat, text);
        Assert.Same(provider.GetRequiredService<EdgeInfiniteChatClient>(), service.ChatClient);
        Assert.Equal("tiny-chat", chat.Attributes[AIServiceExtensions.ModelIdKey]);
    }

    [Fact]
    public void AddEdgeInfiniteChatCompletion_WithServiceId_RegistersAndResolvesKeyedOnly()
    {
        var services = new ServiceCollection();
        services.AddEdgeInfiniteChatCompletion(package.PackagePath, serviceId: "local");
        using var provider = services.BuildServiceProvider();

        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(IChatCompletionService));
        Assert.Equal("local", descriptor.ServiceKey);
        Assert.NotNull(descriptor.KeyedImplementationFactory);
        Assert.IsType<EdgeInfiniteChatCompletionService>(provider.GetRequiredKeyedService<IChatCompletionService>("local"));
        Assert.Null(provider.GetService<IChatCompletionService>());
    }

    [Fact]
    public void AddEdgeInfiniteChatCompletion_Configure_OptionsFlowThroughIOptions()
    {
        var services = new ServiceCollection();
        services.AddEdgeInfiniteChatCompletion(o => { o.PackagePath = package.PackagePath; o.ModelId = "custom-id"; }, serviceId: "a");
        services.Configure<EdgeInfiniteChatOptions>("a", o => o.ConversationCacheSize = 0);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<EdgeInfiniteChatOptions>>().Get("a");
        var client = provider.GetRequiredKeyedService<EdgeInfiniteChatClient>("a");

        Assert.Equal(0, options.ConversationCacheSize);
        Assert.Equal("custom-id", client.ModelId);
    }

    [Fact]
    public void AddEdgeInfiniteChatCompletion_MissingPackage_ResolutionThrowsNamingThePath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "edgeinfinite-missing-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddEdgeInfiniteChatCompletion(missing, serviceId: "x");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<DirectoryNotFoundException>(() => provider.GetRequiredKeyedService<IChatCompletionService>("x"));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEdgeInfiniteChatClient_NoServiceId_ReturnsBuilderWhosePipelineResolves()
    {
        var services = new ServiceCollection();

        services.AddEdgeInfiniteChatClient(package.PackagePath).UseFunctionInvocation();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        Assert.IsType<FunctionInvokingChatClient>(client);
        Assert.Same(provider.GetRequiredService<EdgeInfiniteChatClient>(), client.GetService<EdgeInfiniteChatClient>());
        var response = await client.GetResponseAsync("hello", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 });
        Assert.NotEmpty(response.Text);
    }

    [Fact]
    public void AddEdgeInfiniteChatClient_WithServiceId_IsKeyedAndSharesTheClientWithChatCompletion()
    {
        var services = new ServiceCollection();
        services.AddEdgeInfiniteChatClient(package.PackagePath, serviceId: "k");
        services.AddEdgeInfiniteChatCompletion(package.PackagePath, serviceId: "k");
        using var provider = services.BuildServiceProvider();

        Assert.Equal("k", Assert.Single(services, d => d.ServiceType == typeof(IChatClient)).ServiceKey);
        Assert.Single(services, d => d.ServiceType == typeof(EdgeInfiniteChatClient));
        var chatClient = provider.GetRequiredKeyedService<IChatClient>("k");
        var completion = (EdgeInfiniteChatCompletionService)provider.GetRequiredKeyedService<IChatCompletionService>("k");
        Assert.Same(completion.ChatClient, chatClient.GetService<EdgeInfiniteChatClient>());
    }

    [Fact]
    public async Task KernelBuilder_Unkeyed_InvokePromptAsyncFindsTheServiceWithoutServiceId()
    {
        var kernel = Kernel.CreateBuilder().AddEdgeInfiniteChatCompletion(package.PackagePath).Build();

        var result = await kernel.InvokePromptAsync("Say hello.", new(new EdgeInfinitePromptExecutionSettings { MaxTokens = 6, Temperature = 0 }));

        Assert.False(string.IsNullOrEmpty(result.GetValue<string>()));
    }

    [Fact]
    public async Task KernelBuilder_Keyed_InvokePromptAsyncWithServiceIdFindsTheService()
    {
        var kernel = Kernel.CreateBuilder().AddEdgeInfiniteChatCompletion(o => o.PackagePath = package.PackagePath, serviceId: "local").Build();

        var result = await kernel.InvokePromptAsync("Say hello.", new(new EdgeInfinitePromptExecutionSettings { ServiceId = "local", MaxTokens = 6, Temperature = 0 }));

        Assert.False(string.IsNullOrEmpty(result.GetValue<string>()));
        Assert.Same(kernel.GetRequiredService<IChatCompletionService>("local"), kernel.GetRequiredService<ITextGenerationService>("local"));
    }
}

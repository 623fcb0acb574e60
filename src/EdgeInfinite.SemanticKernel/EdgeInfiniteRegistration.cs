using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.TextGeneration;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// The shared DI wiring: one <see cref="EdgeInfiniteChatClient"/> (one model load) per service id, configured through
/// named <see cref="IOptions{TOptions}"/> (<c>serviceId</c>, or the default name), shared by every registration of that id.
/// A <see langword="null"/> service id is an ordinary (unkeyed) registration, as Semantic Kernel's own connectors do.
/// </summary>
internal static class EdgeInfiniteRegistration
{
    public static void AddClient(IServiceCollection services, string? serviceId, Action<EdgeInfiniteChatOptions>? configure)
    {
        string name = serviceId ?? Options.DefaultName;
        var builder = services.AddOptions<EdgeInfiniteChatOptions>(name);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAdd(ServiceDescriptor.KeyedSingleton(serviceId, (sp, _) =>
            new EdgeInfiniteChatClient(WithRegisteredStore(sp.GetRequiredService<IOptionsMonitor<EdgeInfiniteChatOptions>>().Get(name), sp), sp.GetService<ILoggerFactory>())));
    }

    /// <summary>The options, with the container's <see cref="IDistributedCache"/> as the conversation store when they set none.</summary>
    /// <param name="options">The configured options.</param>
    /// <param name="sp">The services.</param>
    /// <returns>The options to use.</returns>
    public static EdgeInfiniteChatOptions WithRegisteredStore(EdgeInfiniteChatOptions options, IServiceProvider sp)
    {
        if (options.ConversationStore is not null || !options.UseRegisteredConversationStore || sp.GetService<IDistributedCache>() is not { } cache)
        {
            return options;
        }

        var copy = options.Clone();
        copy.ConversationStore = cache;
        return copy;
    }

    public static void AddChatCompletion(IServiceCollection services, string? serviceId, Action<EdgeInfiniteChatOptions>? configure)
    {
        AddClient(services, serviceId, configure);
        services.TryAdd(ServiceDescriptor.KeyedSingleton(serviceId, (sp, _) =>
            new EdgeInfiniteChatCompletionService(Resolve<EdgeInfiniteChatClient>(sp, serviceId), sp.GetService<ILoggerFactory>())));
        services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, _) => Resolve<EdgeInfiniteChatCompletionService>(sp, serviceId));
        services.AddKeyedSingleton<ITextGenerationService>(serviceId, (sp, _) => Resolve<EdgeInfiniteChatCompletionService>(sp, serviceId));
    }

    public static Action<EdgeInfiniteChatOptions>? PathSetter(string? packagePath) =>
        packagePath is null ? null : o => o.PackagePath = packagePath;

    public static T Resolve<T>(IServiceProvider sp, string? serviceId)
        where T : notnull =>
        serviceId is null ? sp.GetRequiredService<T>() : sp.GetRequiredKeyedService<T>(serviceId);
}

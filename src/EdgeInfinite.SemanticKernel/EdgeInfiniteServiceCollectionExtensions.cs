using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers EdgeInfinite on an <see cref="IServiceCollection"/>.</summary>
public static class EdgeInfiniteServiceCollectionExtensions
{
    /// <summary>
    /// Registers EdgeInfinite as Semantic Kernel <c>IChatCompletionService</c> and <c>ITextGenerationService</c>
    /// (singletons, keyed by <paramref name="serviceId"/>; unkeyed when it is <see langword="null"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="packagePath">The model package folder; <see langword="null"/> uses the embedded default model.</param>
    /// <param name="serviceId">The service id (DI key), or <see langword="null"/>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEdgeInfiniteChatCompletion(this IServiceCollection services, string? packagePath = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        EdgeInfiniteRegistration.AddChatCompletion(services, serviceId, EdgeInfiniteRegistration.PathSetter(packagePath));
        return services;
    }

    /// <summary>Registers EdgeInfinite as Semantic Kernel chat completion and text generation, configured by a delegate.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options (also bindable through <c>services.Configure&lt;EdgeInfiniteChatOptions&gt;(serviceId, ...)</c>).</param>
    /// <param name="serviceId">The service id (DI key), or <see langword="null"/>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddEdgeInfiniteChatCompletion(this IServiceCollection services, Action<EdgeInfiniteChatOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        EdgeInfiniteRegistration.AddChatCompletion(services, serviceId, configure);
        return services;
    }

    /// <summary>
    /// Registers EdgeInfinite as an <see cref="IChatClient"/> (singleton, keyed by <paramref name="serviceId"/>; unkeyed when
    /// it is <see langword="null"/>) and returns the pipeline builder, e.g. for <c>.UseFunctionInvocation()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="packagePath">The model package folder; <see langword="null"/> uses the embedded default model.</param>
    /// <param name="serviceId">The service id (DI key), or <see langword="null"/>.</param>
    /// <returns>The chat client pipeline builder.</returns>
    public static ChatClientBuilder AddEdgeInfiniteChatClient(this IServiceCollection services, string? packagePath = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddChatClientCore(services, serviceId, EdgeInfiniteRegistration.PathSetter(packagePath));
    }

    /// <summary>Registers EdgeInfinite as an <see cref="IChatClient"/>, configured by a delegate, and returns the pipeline builder.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <param name="serviceId">The service id (DI key), or <see langword="null"/>.</param>
    /// <returns>The chat client pipeline builder.</returns>
    public static ChatClientBuilder AddEdgeInfiniteChatClient(this IServiceCollection services, Action<EdgeInfiniteChatOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddChatClientCore(services, serviceId, configure);
    }

    private static ChatClientBuilder AddChatClientCore(IServiceCollection services, string? serviceId, Action<EdgeInfiniteChatOptions>? configure)
    {
        EdgeInfiniteRegistration.AddClient(services, serviceId, configure);
        return serviceId is null
            ? services.AddChatClient(sp => EdgeInfiniteRegistration.Resolve<EdgeInfiniteChatClient>(sp, null))
            : services.AddKeyedChatClient(serviceId, sp => EdgeInfiniteRegistration.Resolve<EdgeInfiniteChatClient>(sp, serviceId));
    }
}

using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.SemanticKernel;

/// <summary>Registers EdgeInfinite on an <see cref="IKernelBuilder"/>.</summary>
public static class EdgeInfiniteKernelBuilderExtensions
{
    /// <summary>
    /// Adds EdgeInfinite chat completion and text generation to the kernel (keyed by <paramref name="serviceId"/>; unkeyed
    /// when it is <see langword="null"/>, so prompts find it without naming a service).
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="packagePath">The model package folder; <see langword="null"/> uses the embedded default model.</param>
    /// <param name="serviceId">The service id, or <see langword="null"/>.</param>
    /// <returns>The kernel builder.</returns>
    public static IKernelBuilder AddEdgeInfiniteChatCompletion(this IKernelBuilder builder, string? packagePath = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddEdgeInfiniteChatCompletion(packagePath, serviceId);
        return builder;
    }

    /// <summary>Adds EdgeInfinite chat completion and text generation to the kernel, configured by a delegate.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <param name="serviceId">The service id, or <see langword="null"/>.</param>
    /// <returns>The kernel builder.</returns>
    public static IKernelBuilder AddEdgeInfiniteChatCompletion(this IKernelBuilder builder, Action<EdgeInfiniteChatOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddEdgeInfiniteChatCompletion(configure, serviceId);
        return builder;
    }
}

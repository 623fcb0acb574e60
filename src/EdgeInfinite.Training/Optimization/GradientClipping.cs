using static TorchSharp.torch;

namespace EdgeInfinite.Training.Optimization;

/// <summary>Scales all gradients down together when their global L2 norm exceeds a bound (the trainers' clip).</summary>
internal static class GradientClipping
{
    public static void ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        if (maxNorm <= 0)
        {
            return;
        }

        using var noGrad = no_grad();
        var grads = parameters.Where(p => p.grad is not null).Select(p => p.grad!).ToList();
        // Scalars held in variables until the native calls return: a temporary Scalar can be finalized while one runs.
        using TorchSharp.Scalar two = 2;
        double norm = Math.Sqrt(grads.Sum(g => g.pow(two).sum().to_type(ScalarType.Float64).item<double>()));
        if (norm > maxNorm)
        {
            using TorchSharp.Scalar factor = maxNorm / (norm + 1e-6);
            foreach (var g in grads)
            {
                g.mul_(factor);
            }
        }
    }
}

using static TorchSharp.torch;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Optimization;

/// <summary>
/// AdamW (decoupled weight decay, bias-corrected moments) over the trainable tensors (the gates, or every base weight when pretraining), written out so its whole state
/// (moments and step count) can be saved to and restored from a checkpoint exactly.
/// </summary>
internal sealed class GateAdamW : IDisposable
{
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly GateTrainingOptions _options;

    public GateAdamW(IReadOnlyList<Tensor> parameters, GateTrainingOptions options)
    {
        _parameters = parameters;
        _options = options;
        _m = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _v = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Gets the number of updates made (the bias-correction exponent).</summary>
    public int StepCount { get; private set; }

    public IReadOnlyList<Tensor> FirstMoments => _m;

    public IReadOnlyList<Tensor> SecondMoments => _v;

    /// <summary>Applies one update from the parameters' gradients, then clears the gradients.</summary>
    public void Step() => Step(_options.LearningRate);

    /// <summary>Applies one update with the given learning rate (a schedule's value for this step), then clears the gradients.</summary>
    public void Step(double lr)
    {
        StepCount++;
        double b1 = _options.Beta1, b2 = _options.Beta2;
        double correction1 = 1 - Math.Pow(b1, StepCount);
        double correction2 = 1 - Math.Pow(b2, StepCount);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        // Scalars held in variables until the native calls return: a temporary Scalar can be finalized while one runs.
        using TorchSharp.Scalar decay = 1 - lr * _options.WeightDecay, beta1 = b1, beta2 = b2, oneMinusB1 = 1 - b1, oneMinusB2 = 1 - b2,
            bias2 = correction2, epsilon = _options.AdamEpsilon, step = -lr / correction1;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            if (p.grad is not { } g)
            {
                continue;
            }

            if (_options.WeightDecay != 0)
            {
                p.mul_(decay);
            }

            _m[i].mul_(beta1).add_(g, alpha: oneMinusB1);
            _v[i].mul_(beta2).addcmul_(g, g, value: oneMinusB2);
            var denominator = (_v[i] / bias2).sqrt_().add_(epsilon);
            p.addcdiv_(_m[i], denominator, value: step);
            g.zero_();
        }
    }

    /// <summary>Restores the state saved in a checkpoint.</summary>
    public void Restore(int stepCount, IReadOnlyList<float[]> m, IReadOnlyList<float[]> v)
    {
        StepCount = stepCount;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            _m[i].copy_(tensor(m[i], _m[i].shape).to_type(_m[i].dtype));
            _v[i].copy_(tensor(v[i], _v[i].shape).to_type(_v[i].dtype));
        }
    }

    public void Dispose()
    {
        foreach (var t in _m.Concat(_v))
        {
            t.Dispose();
        }
    }
}

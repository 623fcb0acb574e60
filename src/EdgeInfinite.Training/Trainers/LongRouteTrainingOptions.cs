using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;

namespace EdgeInfinite.Training.Trainers;

/// <summary>
/// Options of <see cref="LongRouteTrainer"/>: continued training of a pretrained base <b>and</b> its gates through the
/// long route (the Infini-attention recipe), so that the keys and values learn to be stored in and read from memory.
/// </summary>
public sealed class LongRouteTrainingOptions
{
    /// <summary>Gets or sets the model shape (the base checkpoint's).</summary>
    public required BaseModelShape Shape { get; set; }

    /// <summary>Gets or sets S, W, L, the update rule and ε: the long route trained through (the package's).</summary>
    public required LongRouteSettings LongRoute { get; set; }

    /// <summary>Gets or sets the long sequences (facts beyond the window).</summary>
    public required ITrainingData LongData { get; set; }

    /// <summary>Gets or sets full-attention sequences trained in the same step, so the short route stays trained; <see langword="null"/> for none.</summary>
    public ITrainingData? ShortData { get; set; }

    /// <summary>Gets or sets a description of the data, part of the checkpoint's identity.</summary>
    public string DataDescription { get; set; } = "";

    /// <summary>Gets or sets the number of steps (the learning-rate schedule's length).</summary>
    public int Steps { get; set; } = 400;

    /// <summary>Gets or sets a wall-clock limit; the run checkpoints and stops when it is reached.</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>Gets or sets the segments of L tokens per long sequence (after the sink); at least W/L + 2.</summary>
    public int Segments { get; set; } = 16;

    /// <summary>Gets or sets the long sequences per step.</summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>Gets or sets the tokens per full-attention sequence.</summary>
    public int ShortSequenceLength { get; set; } = 512;

    /// <summary>Gets or sets the full-attention sequences per step.</summary>
    public int ShortBatchSize { get; set; } = 4;

    /// <summary>Gets or sets the peak learning rate of the base weights (lower than pretraining: they are already trained).</summary>
    public double LearningRate { get; set; } = 5e-4;

    /// <summary>Gets or sets the peak learning rate of the gates (new parameters: higher, no weight decay).</summary>
    public double GateLearningRate { get; set; } = 1e-2;

    /// <summary>Gets or sets the gates' initial bias (g = sigmoid(b) at the start).</summary>
    public float InitialGateBias { get; set; } = -2f;

    /// <summary>Gets or sets the linear warm-up steps before the cosine decay to a tenth.</summary>
    public int WarmupSteps { get; set; } = 20;

    /// <summary>Gets or sets the gradient-norm clip over all parameters; 0 for none.</summary>
    public double GradientClip { get; set; } = 1.0;

    /// <summary>Gets or sets the seed.</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets the checkpoint file (base, gates and optimizer state).</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Gets or sets how often to checkpoint, in steps.</summary>
    public int CheckpointEvery { get; set; } = 25;

    /// <summary>Gets or sets a value indicating whether to continue from <see cref="CheckpointPath"/> if it exists.</summary>
    public bool Resume { get; set; }

    /// <summary>Gets or sets the held-out long sequences evaluated before and after.</summary>
    public int EvaluationSequences { get; set; } = 4;

    /// <summary>Gets or sets the TorchSharp CPU threads; <see langword="null"/> for TorchSharp's choice.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Gets or sets R: each long sequence starts from the memory its batch row ended the previous step with, and a row
    /// starts empty again every R steps (rows staggered, so a step sees memories of every age from 0 to R − 1 earlier
    /// sequences). Trains reads diluted by up to R sequences' worth of stored tokens, as at long lengths in use, where
    /// one sequence alone holds about a thousand. 0 (the default) starts every sequence from an empty memory.
    /// </summary>
    public int CarryMemorySteps { get; set; }
}

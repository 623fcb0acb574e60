namespace EdgeInfinite.Training.Cli.Commands;

/// <summary>What the memory stage of <c>pretrain</c> did, for the console and the model card.</summary>
/// <param name="Title">The recipe's name.</param>
/// <param name="RecipeLine">The model card's recipe bullet.</param>
/// <param name="MeasuredRows">The model card's measured-table rows.</param>
/// <param name="Summary">One console line.</param>
internal sealed record MemoryStageReport(string Title, string RecipeLine, IReadOnlyList<string> MeasuredRows, string Summary);

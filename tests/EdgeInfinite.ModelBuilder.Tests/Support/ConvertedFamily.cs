namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>A family case written as a checkpoint and converted into a package.</summary>
/// <param name="Case">The case.</param>
/// <param name="Model">The model with its known weights.</param>
/// <param name="CheckpointDirectory">The Hugging Face checkpoint folder.</param>
/// <param name="PackageDirectory">The converted package folder.</param>
public sealed record ConvertedFamily(FamilyCase Case, TinyModel Model, string CheckpointDirectory, string PackageDirectory);

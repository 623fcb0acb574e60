namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>The test collection that shares one converted <see cref="TinyChatPackage"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TinyChatCollection : ICollectionFixture<TinyChatPackage>
{
    public const string Name = "tiny chat model";
}

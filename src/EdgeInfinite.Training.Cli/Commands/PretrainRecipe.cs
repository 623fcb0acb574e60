namespace EdgeInfinite.Training.Cli.Commands;

/// <summary>How <c>pretrain</c> trains the memory after the full-attention base.</summary>
internal enum PretrainRecipe
{
    /// <summary>The paper's: the base frozen, the gates alone trained through the long route.</summary>
    Paper,

    /// <summary>Infini-attention's: base and gates trained together through the long route.</summary>
    Infini,
}

using Microsoft.ML.OnnxRuntimeGenAI;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>Greedy generation with ONNX Runtime GenAI's Generator on a package's standard decoder graph.</summary>
public static class GenAiGreedy
{
    /// <summary>Appends the prompt, generates <paramref name="newTokens"/> greedy tokens and returns them with the generator's final sequence.</summary>
    public static (List<int> Generated, int[] Sequence, bool Done) Run(string package, int[] prompt, int newTokens)
    {
        using var model = new Model(package);
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("max_length", prompt.Length + newTokens);
        parameters.SetSearchOption("do_sample", false);
        parameters.SetSearchOption("top_k", 1);
        using var generator = new Generator(model, parameters);
        generator.AppendTokens(prompt);
        var generated = new List<int>();
        for (int i = 0; i < newTokens; i++)
        {
            generator.GenerateNextToken();
            generated.Add(generator.GetNextTokens()[0]);
        }

        return (generated, generator.GetSequence(0).ToArray(), generator.IsDone());
    }
}

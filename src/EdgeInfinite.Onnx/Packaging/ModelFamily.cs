namespace EdgeInfinite.Onnx.Packaging;

/// <summary>The transformer families the model builder converts, named by their Hugging Face <c>model_type</c>.</summary>
public enum ModelFamily
{
    /// <summary>Llama 2/3 (<c>llama</c>), including <c>rope_scaling</c> type <c>llama3</c>.</summary>
    Llama,

    /// <summary>Mistral (<c>mistral</c>).</summary>
    Mistral,

    /// <summary>Qwen2 and Qwen2.5 (<c>qwen2</c>): q/k/v biases.</summary>
    Qwen2,

    /// <summary>Qwen3 (<c>qwen3</c>): per-head RMSNorm on queries and keys.</summary>
    Qwen3,

    /// <summary>Phi-3 (<c>phi3</c>): fused <c>qkv_proj</c> and <c>gate_up_proj</c>.</summary>
    Phi3,
}

using System.Text.Json.Nodes;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Writes <c>config.json</c> the way each family ships it on the Hugging Face Hub (same fields, tiny values).</summary>
public static class HfConfigJson
{
    /// <summary>Builds the config of a spec.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The JSON object, ready to be edited by a test before writing.</returns>
    public static JsonObject Create(TinyModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var c = new JsonObject
        {
            ["architectures"] = new JsonArray(spec.ModelType switch
            {
                "llama" => "LlamaForCausalLM",
                "mistral" => "MistralForCausalLM",
                "qwen2" => "Qwen2ForCausalLM",
                "qwen3" => "Qwen3ForCausalLM",
                "phi3" => "Phi3ForCausalLM",
                _ => spec.ModelType,
            }),
            ["attention_dropout"] = 0.0,
            ["bos_token_id"] = 1,
            ["eos_token_id"] = 2,
            ["hidden_act"] = "silu",
            ["hidden_size"] = spec.HiddenSize,
            ["initializer_range"] = 0.02,
            ["intermediate_size"] = spec.IntermediateSize,
            ["max_position_embeddings"] = spec.MaxPositionEmbeddings,
            ["model_type"] = spec.ModelType,
            ["num_attention_heads"] = spec.NumHeads,
            ["num_hidden_layers"] = spec.NumLayers,
            ["num_key_value_heads"] = spec.NumKvHeads,
            ["rms_norm_eps"] = spec.RmsNormEps,
            ["rope_scaling"] = null,
            ["rope_theta"] = spec.RopeTheta,
            ["tie_word_embeddings"] = spec.TieWordEmbeddings,
            ["torch_dtype"] = "float32",
            ["transformers_version"] = "4.51.3",
            ["use_cache"] = true,
            ["vocab_size"] = spec.VocabSize,
        };
        if (spec.WriteHeadDim)
        {
            c["head_dim"] = spec.HeadDim;
        }

        if (spec.RopeScaling is { } s)
        {
            c["rope_scaling"] = new JsonObject
            {
                ["factor"] = s.Factor,
                ["high_freq_factor"] = s.HighFreqFactor,
                ["low_freq_factor"] = s.LowFreqFactor,
                ["original_max_position_embeddings"] = s.OriginalMaxPositionEmbeddings,
                ["rope_type"] = "llama3",
            };
        }

        switch (spec.ModelType)
        {
            case "llama":
                c["attention_bias"] = false;
                c["mlp_bias"] = false;
                c["pretraining_tp"] = 1;
                if (spec.RopeScaling is not null)
                {
                    c["eos_token_id"] = new JsonArray(2, 3);
                }

                break;
            case "mistral":
                c["sliding_window"] = null;
                break;
            case "qwen2":
                c["max_window_layers"] = spec.NumLayers;
                c["sliding_window"] = spec.MaxPositionEmbeddings;
                c["use_sliding_window"] = false;
                break;
            case "qwen3":
                c["attention_bias"] = false;
                c["max_window_layers"] = spec.NumLayers;
                c["sliding_window"] = null;
                c["use_sliding_window"] = false;
                break;
            case "phi3":
                c["attention_bias"] = false;
                c["embd_pdrop"] = 0.0;
                c["original_max_position_embeddings"] = spec.MaxPositionEmbeddings;
                c["pad_token_id"] = 3;
                c["resid_pdrop"] = 0.0;
                c["sliding_window"] = spec.MaxPositionEmbeddings - 1;
                break;
        }

        return c;
    }
}

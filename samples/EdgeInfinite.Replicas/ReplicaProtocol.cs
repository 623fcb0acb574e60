using System.Text.Json;

namespace EdgeInfinite.Samples.Replicas;

/// <summary>The line protocol between the demo and its replica processes: one JSON object per line.</summary>
internal static class ReplicaProtocol
{
    /// <summary>The line a replica writes once its model is loaded.</summary>
    public const string Ready = "ready";

    /// <summary>The line a replica writes when a request's prefill starts (so a test can stop it mid-request).</summary>
    public const string Prefilling = "prefilling";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

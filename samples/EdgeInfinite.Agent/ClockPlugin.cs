using System.ComponentModel;
using System.Globalization;
using Microsoft.SemanticKernel;

namespace EdgeInfinite.Samples.Agent;

/// <summary>Tells the date and time.</summary>
public sealed class ClockPlugin
{
    /// <summary>Returns the current local date and time.</summary>
    /// <returns>The date and time, ISO 8601.</returns>
    [KernelFunction("now")]
    [Description("Gets the current local date and time (ISO 8601).")]
    public string Now() => DateTimeOffset.Now.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}

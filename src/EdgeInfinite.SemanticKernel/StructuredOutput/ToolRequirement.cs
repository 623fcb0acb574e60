namespace EdgeInfinite.SemanticKernel.StructuredOutput;

/// <summary>Whether a response must call a function (<c>ChatOptions.ToolMode</c>).</summary>
internal enum ToolRequirement
{
    /// <summary>Free text, or calls the model starts itself (<c>ChatToolMode.Auto</c>).</summary>
    Auto,

    /// <summary>One or more calls to offered functions, nothing else (<c>ChatToolMode.RequireAny</c>).</summary>
    RequireAny,

    /// <summary>One or more calls to one named function, nothing else (<c>ChatToolMode.RequireSpecific</c>).</summary>
    RequireSpecific,
}

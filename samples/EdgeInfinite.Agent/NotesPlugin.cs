using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace EdgeInfinite.Samples.Agent;

/// <summary>Keeps notes for the session.</summary>
public sealed class NotesPlugin
{
    private readonly List<string> _notes = [];

    /// <summary>Stores a note.</summary>
    /// <param name="text">The note.</param>
    /// <returns>A confirmation.</returns>
    [KernelFunction("add_note")]
    [Description("Stores a note for later.")]
    public string AddNote([Description("The text to remember.")] string text)
    {
        _notes.Add(text);
        return $"Noted ({_notes.Count} notes).";
    }

    /// <summary>Lists the notes.</summary>
    /// <returns>The notes, one per line.</returns>
    [KernelFunction("list_notes")]
    [Description("Lists every stored note.")]
    public string ListNotes() => _notes.Count == 0 ? "No notes." : string.Join('\n', _notes);
}

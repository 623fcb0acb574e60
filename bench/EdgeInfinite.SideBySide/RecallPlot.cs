using System.Globalization;
using System.Text.Json;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// <c>recall-plot --json FILE [--name NAME] [--out DIR]</c>: turns the JSON of <c>edgeinfinite eval recall --json</c>
/// into <c>recall-NAME.svg</c>, accuracy (all depths pooled) against context length, one line per mode.
/// </summary>
internal static class RecallPlot
{
    public static int Run(IReadOnlyDictionary<string, string> a)
    {
        string json = a.TryGetValue("--json", out var j) ? j : throw new ArgumentException("--json FILE (from edgeinfinite eval recall --json) is required");
        string name = a.TryGetValue("--name", out var n) ? n : "edgeinfinite-tiny";
        string outDir = Path.GetFullPath(a.TryGetValue("--out", out var o) ? o : Path.Combine("docs", "benchmarks"));
        List<(string Mode, int Length, int Trials, int Correct)> cells;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            cells = document.RootElement.EnumerateArray()
                .Select(e => (Mode: e.GetProperty("mode").GetString() ?? "?", Length: e.GetProperty("length").GetInt32(), Trials: e.GetProperty("trials").GetInt32(), Correct: e.GetProperty("correct").GetInt32()))
                .ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // JsonElement's messages name neither the file nor the field.
            throw new InvalidDataException($"'{json}' is not an eval recall JSON array of cells with mode, length, trials and correct: {ex.Message}", ex);
        }

        if (cells.Count == 0)
        {
            throw new InvalidDataException($"'{json}' holds no recall cells.");
        }

        var series = cells.GroupBy(c => c.Mode).ToDictionary(
            g => g.Key,
            g => g.GroupBy(c => c.Length).Select(l => (X: l.Key, Y: 100.0 * l.Sum(c => c.Correct) / l.Sum(c => c.Trials))).OrderBy(p => p.X).ToList());
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, $"recall-{name}.svg");
        File.WriteAllText(path, SvgChart.Render($"Recall accuracy ({name})", "correct (%)", series, linearMax: 100));
        foreach (var (mode, points) in series)
        {
            Console.WriteLine($"{mode}: {string.Join(", ", points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X}: {p.Y:0.#}%")))}");
        }

        Console.WriteLine($"wrote {path}");
        return 0;
    }
}

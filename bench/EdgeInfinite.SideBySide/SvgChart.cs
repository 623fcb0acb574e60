using System.Globalization;
using System.Text;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// Small dependency-free SVG charts: a line chart (log2 x axis for context length, log10 y axis, one line per mode)
/// and, for a run at one length, a horizontal bar chart (one bar per engine row).
/// </summary>
internal static class SvgChart
{
    private static readonly string[] s_colors = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    public static string Render(string title, string yLabel, IReadOnlyDictionary<string, List<(int X, double Y)>> series, double? linearMax = null)
    {
        // Log axes for times and sizes; a linear 0..max axis for percentages (where 0 is a real value).
        bool linear = linearMax is not null;
        const int W = 720, H = 420, L = 70, R = 150, T = 40, B = 50;
        var points = series.Values.SelectMany(v => v).Where(p => linear ? p.Y >= 0 : p.Y > 0).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/><text x=\"{W / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{title}</text>");
        if (points.Count == 0)
        {
            return sb.Append("</svg>").ToString();
        }

        double x0 = Math.Log2(points.Min(p => p.X)), x1 = Math.Log2(points.Max(p => p.X));
        double y0 = linear ? 0 : Math.Floor(Math.Log10(points.Min(p => p.Y))), y1 = linear ? linearMax!.Value : Math.Ceiling(Math.Log10(points.Max(p => p.Y)));
        x1 = x1 > x0 ? x1 : x0 + 1;
        y1 = y1 > y0 ? y1 : y0 + 1;
        double Px(int x) => L + (Math.Log2(x) - x0) / (x1 - x0) * (W - L - R);
        double Py(double y) => H - B - ((linear ? y : Math.Log10(y)) - y0) / (y1 - y0) * (H - T - B);
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"black\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"black\"/>");
        foreach (int x in points.Select(p => p.X).Distinct().Order())
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(x):0.#}\" y=\"{H - B + 18}\" text-anchor=\"middle\">{(x >= 1000 && x % 1000 == 0 ? $"{x / 1000}k" : x >= 1024 && x % 1024 == 0 ? $"{x / 1024}k" : x >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{x / 1000.0:0.#}k") : x.ToString(CultureInfo.InvariantCulture))}</text>");
        }

        for (double e = y0; e <= y1; e += linear ? y1 / 5 : 1)
        {
            double y = linear ? e : Math.Pow(10, e);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{Py(y):0.#}\" x2=\"{W - R}\" y2=\"{Py(y):0.#}\" stroke=\"#ddd\"/><text x=\"{L - 6}\" y=\"{Py(y) + 4:0.#}\" text-anchor=\"end\">{y:#,0.###}</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(W - R + L) / 2}\" y=\"{H - 12}\" text-anchor=\"middle\">context length (tokens)</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{(H - B + T) / 2}\" transform=\"rotate(-90 16 {(H - B + T) / 2})\" text-anchor=\"middle\">{yLabel}</text>");
        int i = 0;
        foreach (var (name, values) in series)
        {
            string color = s_colors[i % s_colors.Length];
            var valid = values.Where(p => linear ? p.Y >= 0 : p.Y > 0).OrderBy(p => p.X).ToList();
            if (valid.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', valid.Select(p => string.Create(CultureInfo.InvariantCulture, $"{Px(p.X):0.#},{Py(p.Y):0.#}")))}\"/>");
                foreach (var p in valid)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(p.X):0.#}\" cy=\"{Py(p.Y):0.#}\" r=\"3\" fill=\"{color}\"/>");
                }
            }

            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{W - R + 15}\" y=\"{T + 18 * i}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{W - R + 32}\" y=\"{T + 18 * i + 11}\">{name}</text>");
            i++;
        }

        return sb.Append("</svg>").ToString();
    }

    public static string RenderBars(string title, string xLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        const int W = 720, L = 190, R = 90, T = 40, B = 40, Bar = 18, Gap = 6;
        int h = T + B + bars.Count * (Bar + Gap);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{W}\" height=\"{h}\" fill=\"white\"/><text x=\"{W / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{title}</text>");
        double max = bars.Count == 0 ? 1 : bars.Max(b => b.Value);
        var colors = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < bars.Count; i++)
        {
            // One color per engine (the label's first word), so precisions of one engine read as a group.
            string engine = bars[i].Label.Split(' ')[0];
            string color = colors.TryGetValue(engine, out var known) ? known : colors[engine] = s_colors[colors.Count % s_colors.Length];
            double y = T + i * (Bar + Gap);
            double width = bars[i].Value / max * (W - L - R);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{L - 6}\" y=\"{y + Bar - 5:0.#}\" text-anchor=\"end\">{bars[i].Label}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{L}\" y=\"{y:0.#}\" width=\"{width:0.#}\" height=\"{Bar}\" fill=\"{color}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{L + width + 4:0.#}\" y=\"{y + Bar - 5:0.#}\">{bars[i].Value:#,0.#}</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{T - 4}\" x2=\"{L}\" y2=\"{h - B + 4}\" stroke=\"black\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(W - R + L) / 2}\" y=\"{h - 12}\" text-anchor=\"middle\">{xLabel}</text>");
        return sb.Append("</svg>").ToString();
    }
}

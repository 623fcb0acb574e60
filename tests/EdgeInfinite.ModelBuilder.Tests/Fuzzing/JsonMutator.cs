using System.Text.Json.Nodes;

namespace EdgeInfinite.ModelBuilder.Tests.Fuzzing;

/// <summary>Seeded mutations of a JSON document: a random node replaced by a hostile value, removed, or nulled.</summary>
public sealed class JsonMutator(Random random, string canaryPath)
{
    private readonly Random _random = random;

    /// <summary>Values an attacker would try: boundaries, wrong types, NaN spellings, paths out of the folder.</summary>
    public JsonNode? HostileValue() => _random.Next(27) switch
    {
        0 or 24 or 25 or 26 => null,
        1 => -1,
        2 => 0,
        3 => int.MaxValue,
        4 => int.MinValue,
        5 => long.MaxValue,
        6 => 1e308,
        7 => -1e-300,
        8 => 1e-50,
        9 => "NaN",
        10 => "Infinity",
        11 => "../" + Path.GetFileName(canaryPath),
        12 => canaryPath,
        13 => "../../../../../../../../etc/passwd",
        14 => new string('x', 5000),
        15 => new JsonArray(),
        16 => new JsonObject(),
        17 => true,
        18 => new JsonArray((JsonNode?)null),
        19 => 2147483000,
        20 => 0.5,
        21 => "",
        22 => new JsonArray(1, -5, int.MaxValue),
        // Numbers beyond double's range: System.Text.Json reads them as ±infinity, which no JSON writer can write back.
        _ => _random.Next(3) switch { 0 => 100_000_000, 1 => JsonNode.Parse("1e400"), _ => JsonNode.Parse("-1e400") },
    };

    /// <summary>Applies one to three mutations in place and returns the document (or a replacement root).</summary>
    public JsonNode? Mutate(JsonNode? root)
    {
        int count = 1 + _random.Next(3);
        for (int i = 0; i < count && root is not null; i++)
        {
            var nodes = Flatten(root).ToList();

            // A third of the mutations hit a whole section (a top-level field): null sections are a classic crash.
            if (root is JsonObject top && top.Count > 0 && _random.Next(3) == 0)
            {
                top[top.ElementAt(_random.Next(top.Count)).Key] = _random.Next(2) == 0 ? null : HostileValue();
                continue;
            }

            var (parent, key, index) = nodes[_random.Next(nodes.Count)];
            if (parent is null)
            {
                root = HostileValue();
                continue;
            }

            bool remove = _random.Next(6) == 0;
            if (parent is JsonObject o)
            {
                if (remove)
                {
                    o.Remove(key!);
                }
                else
                {
                    o[key!] = HostileValue();
                }
            }
            else if (parent is JsonArray a)
            {
                if (remove)
                {
                    a.RemoveAt(index);
                }
                else
                {
                    a[index] = HostileValue();
                }
            }
        }

        return root;
    }

    /// <summary>Bytes-level damage: flip, truncate or splice garbage.</summary>
    public byte[] Damage(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        switch (_random.Next(3))
        {
            case 0:
                for (int i = 0; i < 1 + _random.Next(8); i++)
                {
                    copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
                }

                return copy;
            case 1:
                return copy[.._random.Next(copy.Length)];
            default:
                var junk = new byte[_random.Next(1, 64)];
                _random.NextBytes(junk);
                int at = _random.Next(copy.Length);
                return [.. copy[..at], .. junk, .. copy[at..]];
        }
    }

    private static IEnumerable<(JsonNode? Parent, string? Key, int Index)> Flatten(JsonNode root)
    {
        yield return (null, null, -1);
        var stack = new Stack<JsonNode>([root]);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node is JsonObject o)
            {
                foreach (var (key, child) in o.ToList())
                {
                    yield return (o, key, -1);
                    if (child is not null)
                    {
                        stack.Push(child);
                    }
                }
            }
            else if (node is JsonArray a)
            {
                for (int i = 0; i < a.Count; i++)
                {
                    yield return (a, null, i);
                    if (a[i] is { } child)
                    {
                        stack.Push(child);
                    }
                }
            }
        }
    }
}

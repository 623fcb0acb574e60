namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// The incremental matcher: a pushdown automaton over output bytes whose stack is a small array of plain
/// <see cref="Frame"/> structs, so copying a state (the mask search copies one per trie level) is one block copy.
/// <see cref="Advance"/> consumes one byte or rejects it; after a rejection the state is undefined and the caller
/// discards it (the mask search and <see cref="GrammarMatcher"/> only ever advance copies).
/// </summary>
internal sealed class MatcherState
{
    private const byte ObjectAfterOpen = 0;
    private const byte ObjectAfterKey = 1;
    private const byte ObjectAfterValue = 2;
    private const byte ObjectAfterComma = 3;
    private const byte LiteralIsKey = 1;
    private const int AnyContinuationByte = 0x80 | (0xBF << 8);

    private readonly JsonGrammar _grammar;
    private readonly Frame[] _frames;
    private int _depth;

    public MatcherState(JsonGrammar grammar)
    {
        _grammar = grammar;
        _frames = new Frame[grammar.Options.MaxNestingDepth + 8];
        Push(grammar.Root);
    }

    /// <summary>Gets the number of frames on the stack.</summary>
    public int Depth => _depth;

    /// <summary>Gets the top frame (the stack must not be empty).</summary>
    public ref Frame Top => ref _frames[_depth - 1];

    /// <summary>Makes this state a copy of another state of the same grammar.</summary>
    public void CopyFrom(MatcherState other)
    {
        Array.Copy(other._frames, _frames, other._depth);
        _depth = other._depth;
    }

    /// <summary>Gets a value indicating whether the output may end here (the document, or the last call, is complete).</summary>
    public bool CanEnd()
    {
        for (int i = _depth - 1; i >= 0; i--)
        {
            ref Frame f = ref _frames[i];
            bool ends = f.Kind switch
            {
                FrameKind.Number => f.Phase is 2 or 3 or 5 or 8,
                FrameKind.Literal => f.Phase != LiteralIsKey && _grammar.Sets[f.Node].Items[f.B].Length == f.A && _grammar.Sets[f.Node].Continuations[f.B] is null,
                FrameKind.Free => true,
                _ => false,
            };
            if (!ends)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Gets the fewest bytes that complete the output from here (0 when it may end now): each frame's cheapest way
    /// to finish, from the top down. With every single byte in the vocabulary, that many tokens always suffice.
    /// </summary>
    public int MinBytesToComplete()
    {
        long total = 0;
        for (int i = _depth - 1; i >= 0; i--)
        {
            ref Frame f = ref _frames[i];
            switch (f.Kind)
            {
                case FrameKind.Value:
                    total += _grammar.NodeMinLength[f.Node];
                    break;
                case FrameKind.String:
                    total += 1 + (f.A > 0 ? f.A : f.Phase == 1 ? 1 : f.Phase >= 2 ? 6 - f.Phase : 0);
                    if (i > 0 && _frames[i - 1].Kind == FrameKind.Object && _frames[i - 1].Phase == ObjectAfterKey)
                    {
                        // A free key: then ':', its value, and the rest of the object.
                        ref Frame o = ref _frames[i - 1];
                        total += 1 + _grammar.NodeMinLength[_grammar.Nodes[o.Node].AdditionalNode] + ObjectRest(_grammar.Nodes[o.Node], o.Seen, ObjectAfterValue);
                        i--;
                    }

                    break;
                case FrameKind.Number:
                    total += f.Phase is 2 or 3 or 5 or 8 ? 0 : 1;
                    break;
                case FrameKind.Literal when f.Phase == LiteralIsKey:
                    total += KeyRest(ref f, ref _frames[i - 1]);
                    i--;
                    break;
                case FrameKind.Literal:
                    var set = _grammar.Sets[f.Node];
                    long best = long.MaxValue;
                    for (int j = f.B; j < f.C; j++)
                    {
                        best = Math.Min(best, set.Items[j].Length - f.A + _grammar.ItemMinLength[f.Node][j]);
                    }

                    total += best;
                    break;
                case FrameKind.Object:
                    var node = _grammar.Nodes[f.Node];
                    total += f.Phase == ObjectAfterKey
                        ? 1 + _grammar.NodeMinLength[f.B >= 0 ? node.PropertyNodes[f.B] : node.AdditionalNode] + ObjectRest(node, f.B >= 0 ? f.Seen | (1UL << f.B) : f.Seen, ObjectAfterValue)
                        : ObjectRest(node, f.Seen, f.Phase);
                    break;
                case FrameKind.Array:
                    var array = _grammar.Nodes[f.Node];
                    int item = _grammar.NodeMinLength[array.ItemsNode];
                    int need = Math.Max(f.Phase == 3 ? 1 : 0, array.MinItems - (f.Phase == 0 ? 0 : f.B));
                    total += 1 + ((long)need * (item + 1)) - (f.Phase == 3 && need > 0 ? 1 : 0) - (f.Phase == 0 && need > 0 ? 1 : 0);
                    break;
            }
        }

        return (int)Math.Min(total, int.MaxValue);
    }

    /// <summary>Consumes one byte.</summary>
    /// <returns>Whether the byte is allowed here.</returns>
    public bool Advance(byte b)
    {
        while (_depth > 0)
        {
            ref Frame f = ref _frames[_depth - 1];
            switch (f.Kind)
            {
                case FrameKind.Value:
                    switch (AdvanceValue(ref f, b))
                    {
                        case Step.Accept: return true;
                        case Step.Reject: return false;
                        default: continue;
                    }

                case FrameKind.Object:
                    return AdvanceObject(ref f, b);
                case FrameKind.Array:
                    switch (AdvanceArray(ref f, b))
                    {
                        case Step.Accept: return true;
                        case Step.Reject: return false;
                        default: continue;
                    }

                case FrameKind.String:
                    return AdvanceString(ref f, b);
                case FrameKind.Number:
                    switch (AdvanceNumber(ref f, b))
                    {
                        case Step.Accept: return true;
                        case Step.Reject: return false;
                        default: continue;
                    }

                case FrameKind.Literal:
                    switch (AdvanceLiteral(ref f, b))
                    {
                        case Step.Accept: return true;
                        case Step.Reject: return false;
                        default: continue;
                    }

                default:
                    return AdvanceFree(ref f, b);
            }
        }

        // The document is complete: nothing may follow it.
        return false;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private Step AdvanceValue(ref Frame f, byte b)
    {
        if (IsWhitespace(b))
        {
            return f.A++ < _grammar.Options.MaxWhitespaceRun ? Step.Accept : Step.Reject;
        }

        if (_depth == 1 && _grammar.RootCallSet >= 0 && b == _grammar.OpenTag[0])
        {
            // Calls instead of the root value.
            f = LiteralFrame(_grammar.RootCallSet);
            return Step.Redispatch;
        }

        var node = _grammar.Nodes[f.Node];
        if (node.EnumSet >= 0)
        {
            f = LiteralFrame(node.EnumSet);
            return Step.Redispatch;
        }

        var types = node.Types;
        switch (b)
        {
            case (byte)'{' when (types & JsonValueTypes.Object) != 0 && CanNest():
                f = new Frame { Kind = FrameKind.Object, Node = f.Node, Phase = ObjectAfterOpen, B = -1 };
                return Step.Accept;
            case (byte)'[' when (types & JsonValueTypes.Array) != 0 && CanNest() && node.MaxItems >= node.MinItems:
                f = new Frame { Kind = FrameKind.Array, Node = f.Node };
                return Step.Accept;
            case (byte)'"' when (types & JsonValueTypes.String) != 0:
                f = new Frame { Kind = FrameKind.String, Node = f.Node, B = AnyContinuationByte };
                return Step.Accept;
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9') when (types & (JsonValueTypes.Integer | JsonValueTypes.Number)) != 0:
                f = new Frame { Kind = FrameKind.Number, Node = f.Node };
                return Step.Redispatch;
            case (byte)'t' or (byte)'f' or (byte)'n' when node.KeywordSet >= 0:
                f = LiteralFrame(node.KeywordSet);
                return Step.Redispatch;
            default:
                return Step.Reject;
        }
    }

    private bool AdvanceObject(ref Frame f, byte b)
    {
        if (IsWhitespace(b))
        {
            return f.C++ < _grammar.Options.MaxWhitespaceRun;
        }

        f.C = 0;
        var node = _grammar.Nodes[f.Node];
        switch (f.Phase)
        {
            case ObjectAfterOpen or ObjectAfterComma:
                if (b == (byte)'}' && f.Phase == ObjectAfterOpen)
                {
                    return (f.Seen & node.RequiredMask) == node.RequiredMask && Pop();
                }

                if (b != (byte)'"' || !KeysRemain(node, f.Seen))
                {
                    return false;
                }

                f.Phase = ObjectAfterKey;
                f.B = -1;
                if (node.KeySet >= 0)
                {
                    // The key literals start with their quote, which is this byte.
                    var key = LiteralFrame(node.KeySet);
                    key.Phase = LiteralIsKey;
                    key.A = 1;
                    return Push(key);
                }

                return Push(new Frame { Kind = FrameKind.String, Node = 0, B = AnyContinuationByte });
            case ObjectAfterKey:
                if (b != (byte)':')
                {
                    return false;
                }

                f.Phase = ObjectAfterValue;
                if (f.B >= 0)
                {
                    f.Seen |= 1UL << f.B;
                    return Push(ValueFrame(node.PropertyNodes[f.B]));
                }

                return Push(ValueFrame(node.AdditionalNode));
            default:
                if (b == (byte)',')
                {
                    f.Phase = ObjectAfterComma;
                    return KeysRemain(node, f.Seen);
                }

                return b == (byte)'}' && (f.Seen & node.RequiredMask) == node.RequiredMask && Pop();
        }
    }

    private Step AdvanceArray(ref Frame f, byte b)
    {
        if (IsWhitespace(b))
        {
            return f.C++ < _grammar.Options.MaxWhitespaceRun ? Step.Accept : Step.Reject;
        }

        f.C = 0;
        var node = _grammar.Nodes[f.Node];
        switch (f.Phase)
        {
            case 0 when b == (byte)']':
                return f.B >= node.MinItems && Pop() ? Step.Accept : Step.Reject;
            case 0 or 3:
                if (f.B >= node.MaxItems)
                {
                    return Step.Reject;
                }

                f.Phase = 2;
                f.B++;
                return Push(ValueFrame(node.ItemsNode)) ? Step.Redispatch : Step.Reject;
            default:
                if (b == (byte)',')
                {
                    f.Phase = 3;
                    return f.B < node.MaxItems ? Step.Accept : Step.Reject;
                }

                return b == (byte)']' && f.B >= node.MinItems && Pop() ? Step.Accept : Step.Reject;
        }
    }

    private bool AdvanceString(ref Frame f, byte b)
    {
        if (f.A > 0)
        {
            // Inside a multi-byte UTF-8 character: B holds the allowed range of this continuation byte.
            if (b < (f.B & 0xFF) || b > (f.B >> 8))
            {
                return false;
            }

            f.A--;
            f.B = AnyContinuationByte;
            return true;
        }

        switch (f.Phase)
        {
            case 0:
                if (b < 0x80)
                {
                    return b switch
                    {
                        (byte)'"' => Pop(),
                        (byte)'\\' => SetPhase(ref f, 1),
                        < 0x20 => false,
                        _ => true,
                    };
                }

                // Lead bytes with the ranges that exclude overlong forms, surrogates and code points above U+10FFFF.
                (f.A, f.B) = b switch
                {
                    >= 0xC2 and <= 0xDF => (1, AnyContinuationByte),
                    0xE0 => (2, 0xA0 | (0xBF << 8)),
                    0xED => (2, 0x80 | (0x9F << 8)),
                    >= 0xE1 and <= 0xEF => (2, AnyContinuationByte),
                    0xF0 => (3, 0x90 | (0xBF << 8)),
                    >= 0xF1 and <= 0xF3 => (3, AnyContinuationByte),
                    0xF4 => (3, 0x80 | (0x8F << 8)),
                    _ => (0, -1),
                };
                return f.A > 0;
            case 1:
                if (b == (byte)'u')
                {
                    f.Phase = 2;
                    f.C = 0;
                    return true;
                }

                return b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' && SetPhase(ref f, 0);
            default:
                int digit = HexValue(b);
                if (digit < 0 || (f.Phase == 3 && f.C == 1 && digit >= 8))
                {
                    // \uD800-\uDFFF (surrogates) are refused: .NET's reader rejects lone ones; the character can be written as UTF-8.
                    return false;
                }

                if (f.Phase == 2)
                {
                    f.C = digit == 0xD ? 1 : 0;
                }

                f.Phase = (byte)(f.Phase == 5 ? 0 : f.Phase + 1);
                return true;
        }
    }

    private Step AdvanceNumber(ref Frame f, byte b)
    {
        bool integer = (_grammar.Nodes[f.Node].Types & JsonValueTypes.Number) == 0;
        int max = integer ? _grammar.Options.MaxIntegerDigits : _grammar.Options.MaxNumberDigits;
        switch (f.Phase)
        {
            case 0 or 1:
                if (b == (byte)'-' && f.Phase == 0)
                {
                    f.Phase = 1;
                    return Step.Accept;
                }

                if (!IsDigit(b))
                {
                    return Step.Reject;
                }

                f.Phase = (byte)(b == (byte)'0' ? 2 : 3);
                f.A = 1;
                return Step.Accept;
            case 2 or 3 or 5:
                if (IsDigit(b))
                {
                    return f.Phase != 2 && f.A++ < max ? Step.Accept : Step.Reject;
                }

                if (b == (byte)'.' && f.Phase != 5 && !integer)
                {
                    f.Phase = 4;
                    return Step.Accept;
                }

                if (b is (byte)'e' or (byte)'E' && !integer)
                {
                    f.Phase = 6;
                    return Step.Accept;
                }

                return Pop() ? Step.Redispatch : Step.Reject;
            case 4:
                return IsDigit(b) && SetPhase(ref f, 5, digits: 1) ? Step.Accept : Step.Reject;
            case 6 when b is (byte)'+' or (byte)'-':
                f.Phase = 7;
                return Step.Accept;
            case 6 or 7:
                return IsDigit(b) && SetPhase(ref f, 8, digits: 1) ? Step.Accept : Step.Reject;
            default:
                if (IsDigit(b))
                {
                    return f.A++ < 3 ? Step.Accept : Step.Reject;
                }

                return Pop() ? Step.Redispatch : Step.Reject;
        }
    }

    private Step AdvanceLiteral(ref Frame f, byte b)
    {
        var set = _grammar.Sets[f.Node];
        var items = set.Items;
        int p = f.A;
        int lo = f.B;
        int first = lo;
        if (items[first].Length == p)
        {
            first++;
        }

        // Sorted items: those with byte b at position p are one contiguous run.
        while (first < f.C && items[first][p] < b)
        {
            first++;
        }

        int last = first;
        while (last < f.C && items[last][p] == b)
        {
            last++;
        }

        if (last > first && (f.Phase != LiteralIsKey || AnyUnseenKey(set, first, last)))
        {
            f.A = p + 1;
            f.B = first;
            f.C = last;
            return Step.Accept;
        }

        if (items[lo].Length != p)
        {
            return Step.Reject;
        }

        // Complete: hand the item's tag to the object that asked for a key, or push what follows the item.
        int tag = set.Tags[lo];
        bool key = f.Phase == LiteralIsKey;
        var then = set.Continuations[lo];
        _depth--;
        if (key)
        {
            _frames[_depth - 1].B = tag;
        }

        if (then is not null)
        {
            foreach (var template in then)
            {
                if (!Push(template))
                {
                    return Step.Reject;
                }
            }
        }

        return Step.Redispatch;
    }

    private bool AdvanceFree(ref Frame f, byte b)
    {
        // Free text: A tracks the open tag (a match starts a call), B the close tag (a match is refused).
        byte[] close = _grammar.CloseTag;
        if (close.Length > 0)
        {
            f.B = NextMatch(close, _grammar.CloseTagFailure, f.B, b);
            if (f.B == close.Length)
            {
                return false;
            }
        }

        int k = NextMatch(_grammar.OpenTag, _grammar.OpenTagFailure, f.A, b);
        if (k < _grammar.OpenTag.Length)
        {
            f.A = k;
            return true;
        }

        f.A = 0;
        f.B = 0;
        return Push(LiteralFrame(_grammar.CallSet));
    }

    private static int NextMatch(byte[] tag, int[] failure, int k, byte b)
    {
        while (k > 0 && tag[k] != b)
        {
            k = failure[k - 1];
        }

        return tag[k] == b ? k + 1 : k;
    }

    /// <summary>The least bytes to finish an object from a phase (the current value, if any, counted as done): required keys left, commas, the brace.</summary>
    private long ObjectRest(GrammarNode node, ulong seen, byte phase)
    {
        long required = 0;
        int missing = 0;
        for (int p = 0; p < node.PropertyNames.Length; p++)
        {
            if ((node.RequiredMask & ~seen & (1UL << p)) != 0)
            {
                required += node.KeyLengths[p] + 1 + _grammar.NodeMinLength[node.PropertyNodes[p]];
                missing++;
            }
        }

        if (phase == ObjectAfterComma && missing == 0)
        {
            // A comma was written: one more property (the cheapest unseen, or a free key) must follow.
            long cheapest = node.AdditionalNode >= 0 ? 3 + _grammar.NodeMinLength[node.AdditionalNode] : long.MaxValue / 4;
            for (int p = 0; p < node.PropertyNames.Length; p++)
            {
                if ((seen & (1UL << p)) == 0)
                {
                    cheapest = Math.Min(cheapest, node.KeyLengths[p] + 1 + _grammar.NodeMinLength[node.PropertyNodes[p]]);
                }
            }

            return cheapest + 1;
        }

        long commas = phase switch
        {
            ObjectAfterValue => missing,
            _ => Math.Max(0, missing - 1),
        };
        return required + commas + 1;
    }

    /// <summary>The least bytes to finish a key literal and its object: the key's rest, ':', the value, the object's rest.</summary>
    private long KeyRest(ref Frame key, ref Frame owner)
    {
        var set = _grammar.Sets[key.Node];
        var node = _grammar.Nodes[owner.Node];
        long best = long.MaxValue;
        for (int j = key.B; j < key.C; j++)
        {
            int p = set.Tags[j];
            if ((owner.Seen & (1UL << p)) == 0)
            {
                best = Math.Min(best, set.Items[j].Length - key.A + 1 + _grammar.NodeMinLength[node.PropertyNodes[p]] + ObjectRest(node, owner.Seen | (1UL << p), ObjectAfterValue));
            }
        }

        return best;
    }

    private bool AnyUnseenKey(LiteralSet set, int first, int last)
    {
        ulong seen = _frames[_depth - 2].Seen;
        for (int i = first; i < last; i++)
        {
            if ((seen & (1UL << set.Tags[i])) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool KeysRemain(GrammarNode node, ulong seen) =>
        node.KeySet >= 0 ? (seen | ~AllKeys(node.PropertyNames.Length)) != ulong.MaxValue : node.AdditionalNode >= 0;

    private static ulong AllKeys(int count) => count >= 64 ? ulong.MaxValue : (1UL << count) - 1;

    private bool CanNest()
    {
        int containers = 0;
        for (int i = 0; i < _depth; i++)
        {
            containers += _frames[i].Kind is FrameKind.Object or FrameKind.Array ? 1 : 0;
        }

        return containers < _grammar.Options.MaxNestingDepth;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool SetPhase(ref Frame f, byte phase, int digits = 0)
    {
        f.Phase = phase;
        f.A = digits;
        return true;
    }

    private Frame LiteralFrame(int set) => new() { Kind = FrameKind.Literal, Node = set, C = _grammar.Sets[set].Items.Length };

    private static Frame ValueFrame(int node) => new() { Kind = FrameKind.Value, Node = node };

    private bool Push(FrameTemplate template) => Push(template.Kind switch
    {
        FrameKind.Literal => LiteralFrame(template.Index),
        FrameKind.Free => new Frame { Kind = FrameKind.Free },
        _ => ValueFrame(template.Index),
    });

    private bool Push(Frame frame)
    {
        if (_depth == _frames.Length)
        {
            return false;
        }

        _frames[_depth++] = frame;
        return true;
    }

    private bool Pop()
    {
        _depth--;
        return true;
    }

    private enum Step
    {
        Accept,
        Reject,
        Redispatch,
    }
}

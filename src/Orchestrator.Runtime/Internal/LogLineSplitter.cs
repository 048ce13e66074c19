using System.Text;

namespace Orchestrator.Runtime.Internal;

/// <summary>
/// Cuts the demultiplexed byte chunks of one output stream into lines. Frames of the engine's
/// stream framing may end mid-line or mid-character; bytes wait here until their line is complete.
/// </summary>
internal sealed class LogLineSplitter
{
    private readonly List<byte> _pending = [];

    /// <summary>Adds a chunk and returns the lines it completes, without their line endings.</summary>
    public IReadOnlyList<string> Add(ReadOnlySpan<byte> chunk)
    {
        List<string>? lines = null;
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _pending.AddRange(chunk);
                break;
            }

            _pending.AddRange(chunk[..newline]);
            (lines ??= []).Add(TakePending());
            chunk = chunk[(newline + 1)..];
        }

        return lines ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The last, unterminated line, if any (at the end of the stream).</summary>
    public string? Flush() => _pending.Count == 0 ? null : TakePending();

    private string TakePending()
    {
        var count = _pending.Count;
        if (count > 0 && _pending[count - 1] == (byte)'\r')
            count--;
        var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[..count]);
        _pending.Clear();
        return text;
    }
}

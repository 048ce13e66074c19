using System.Buffers;
using System.Text;

namespace Orchestrator.Runtime.Internal;

/// <summary>Keeps the first <c>limit</c> bytes of an output stream.</summary>
internal sealed class BoundedOutput(int limit)
{
    private readonly ArrayBufferWriter<byte> _bytes = new();

    public void Append(ReadOnlySpan<byte> chunk)
    {
        var room = limit - _bytes.WrittenCount;
        if (room > 0)
            _bytes.Write(chunk[..Math.Min(room, chunk.Length)]);
    }

    public override string ToString() => Encoding.UTF8.GetString(_bytes.WrittenSpan);
}

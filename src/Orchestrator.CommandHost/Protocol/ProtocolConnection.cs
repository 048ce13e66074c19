using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.CommandHost.Protocol;

/// <summary>
/// Reads and writes <see cref="ProtocolMessage"/>s as JSON lines on a stream. Reads are meant for
/// one reader loop; writes may come from several tasks and are serialized here. Lines longer
/// than <see cref="MaxLineBytes"/> are refused so a peer cannot make the other side buffer
/// without bound.
/// </summary>
public sealed class ProtocolConnection : IAsyncDisposable
{
    /// <summary>Longest accepted line: 4 MiB, far above any table a palette sends.</summary>
    public const int MaxLineBytes = 4 * 1024 * 1024;

    /// <summary>The serializer options both ends use: camelCase names, nulls left out.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowOutOfOrderMetadataProperties = true,
        WriteIndented = false,
    };

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _readBuffer = new byte[16 * 1024];
    private readonly MemoryStream _pendingLine = new();
    private int _readStart;
    private int _readEnd;

    public ProtocolConnection(Stream stream) => _stream = stream ?? throw new ArgumentNullException(nameof(stream));

    /// <summary>Serializes one message to a line (without the trailing newline).</summary>
    public static string Serialize(ProtocolMessage message) =>
        JsonSerializer.Serialize(message, SerializerOptions);

    /// <summary>Parses one line into a message.</summary>
    /// <exception cref="ProtocolException">The line is not a known message.</exception>
    public static ProtocolMessage Deserialize(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize<ProtocolMessage>(line, SerializerOptions)
                   ?? throw new ProtocolException("the line holds null instead of a message");
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"the line is not a valid message: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new ProtocolException($"the line is not a valid message: {e.Message}", e);
        }
    }

    /// <inheritdoc cref="Deserialize(ReadOnlySpan{byte})"/>
    public static ProtocolMessage Deserialize(string line) => Deserialize(Encoding.UTF8.GetBytes(line));

    /// <summary>Writes one message and flushes it.</summary>
    public async Task WriteAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, SerializerOptions);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.WriteAsync(NewLine, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads the next message; null when the peer closed the connection.</summary>
    /// <exception cref="ProtocolException">The peer sent something that is not a message, or a line too long.</exception>
    public async Task<ProtocolMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newLineAt = Array.IndexOf(_readBuffer, (byte)'\n', _readStart, _readEnd - _readStart);
            if (newLineAt >= 0)
            {
                AppendPending(_readBuffer.AsSpan(_readStart, newLineAt - _readStart));
                _readStart = newLineAt + 1;
                if (TakePendingLine() is { } message)
                    return message;
                continue; // a blank line (a human with netcat): look at the rest of the buffer
            }

            AppendPending(_readBuffer.AsSpan(_readStart, _readEnd - _readStart));
            _readStart = 0;
            _readEnd = await _stream.ReadAsync(_readBuffer, cancellationToken);
            if (_readEnd == 0)
            {
                if (_pendingLine.Length > 0)
                    throw new ProtocolException("the connection closed in the middle of a message");
                return null;
            }
        }
    }

    /// <summary>Parses and clears the collected line; null when it is blank.</summary>
    private ProtocolMessage? TakePendingLine()
    {
        try
        {
            var line = TrimCarriageReturn(_pendingLine.GetBuffer().AsSpan(0, (int)_pendingLine.Length));
            return line.IsEmpty ? null : Deserialize(line);
        }
        finally
        {
            _pendingLine.SetLength(0);
        }
    }

    private void AppendPending(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLine.Length + bytes.Length > MaxLineBytes)
            throw new ProtocolException($"a message is longer than {MaxLineBytes} bytes");
        _pendingLine.Write(bytes);
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _writeLock.Dispose();
        await _pendingLine.DisposeAsync();
    }
}

/// <summary>The peer broke the protocol; the message says how.</summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException()
    {
    }

    public ProtocolException(string message) : base(message)
    {
    }

    public ProtocolException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

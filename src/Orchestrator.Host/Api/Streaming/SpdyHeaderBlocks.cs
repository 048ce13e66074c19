using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Orchestrator.Host.Api.Streaming;

/// <summary>
/// SPDY/3 name/value header blocks, which are compressed with one zlib stream per direction and a
/// preset dictionary (SPDY/3 draft, 2.6.10.1). Reading: .NET's inflater takes no preset dictionary,
/// but a dictionary is nothing but history the back-references may reach into, so the reader starts
/// its raw-deflate stream with the dictionary as a stored block and drops those bytes of output.
/// Writing: stored (uncompressed) blocks in a zlib stream without a dictionary, each followed by the
/// empty block of a sync flush, which every SPDY reader accepts (the header's FDICT bit is clear). Header blocks here are a few dozen bytes.
/// </summary>
internal static class SpdyHeaderBlocks
{
    /// <summary>The SPDY/3 dictionary: 65 length-prefixed header names and values, then common values (1,423 bytes, adler32 e3c6a7c2).</summary>
    public static readonly byte[] Dictionary = BuildDictionary();

    private static byte[] BuildDictionary()
    {
        string[] words =
        [
            "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language",
            "accept-ranges", "age", "allow", "authorization", "cache-control", "connection", "content-base", "content-encoding",
            "content-language", "content-length", "content-location", "content-md5", "content-range", "content-type", "date", "etag",
            "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
            "last-modified", "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
            "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
            "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
        ];
        const string tail =
            "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
            "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
            "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
            "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
            "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
            "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var word in words)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, word.Length);
            buffer.Write(length);
            buffer.Write(Encoding.ASCII.GetBytes(word));
        }
        buffer.Write(Encoding.ASCII.GetBytes(tail));
        return buffer.ToArray();
    }

    /// <summary>Encodes a header block as the next piece of this direction's zlib stream.</summary>
    public sealed class Writer
    {
        private bool _started;

        public byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers)
        {
            using var plain = new MemoryStream();
            Span<byte> number = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(number, headers.Count);
            plain.Write(number);
            foreach (var (name, value) in headers)
            {
                foreach (var text in new[] { name, value })
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    BinaryPrimitives.WriteInt32BigEndian(number, bytes.Length);
                    plain.Write(number);
                    plain.Write(bytes);
                }
            }
            var data = plain.ToArray();
            if (data.Length > ushort.MaxValue) throw new ArgumentException("header block too large", nameof(headers));
            using var block = new MemoryStream();
            if (!_started)
            {
                block.Write([0x78, 0x01]); // zlib: deflate, 32 KiB window, no dictionary
                _started = true;
            }
            block.WriteByte(0x00); // a stored block, not the last one
            Span<byte> lengths = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(lengths, (ushort)data.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(lengths[2..], (ushort)~data.Length);
            block.Write(lengths);
            block.Write(data);
            // An empty stored block, as a zlib sync flush ends: Go's inflater hands out a stored
            // block's bytes only when the next block begins, and must not have to read past this frame.
            block.Write([0x00, 0x00, 0x00, 0xff, 0xff]);
            return block.ToArray();
        }
    }

    /// <summary>Decodes this direction's header blocks, one frame's block at a time, in order.</summary>
    public sealed class Reader : IDisposable
    {
        private readonly FeedStream _input = new();
        private readonly DeflateStream _inflater;
        private bool _started;

        public Reader() => _inflater = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);

        /// <exception cref="InvalidDataException">The block is not valid SPDY/3 zlib data.</exception>
        public IReadOnlyList<KeyValuePair<string, string>> Decode(ReadOnlySpan<byte> block)
        {
            if (!_started)
            {
                if (block.Length < 2 || (block[0] & 0x0f) != 8 || ((block[0] << 8) | block[1]) % 31 != 0)
                    throw new InvalidDataException("the header block does not start a zlib stream");
                var skip = 2;
                if ((block[1] & 0x20) != 0)
                {
                    if (block.Length < 6) throw new InvalidDataException("truncated zlib header");
                    skip = 6; // the dictionary's adler32: the dictionary is the SPDY/3 one
                }
                var prefix = new byte[5 + Dictionary.Length];
                BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(1), (ushort)Dictionary.Length);
                BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(3), (ushort)~Dictionary.Length);
                Dictionary.CopyTo(prefix, 5);
                _input.Feed(prefix);
                _input.Feed(block[skip..]);
                ReadExactly(Dictionary.Length); // the history, not header data
                _started = true;
            }
            else
            {
                _input.Feed(block);
            }

            var count = BinaryPrimitives.ReadInt32BigEndian(ReadExactly(4));
            if (count is < 0 or > 1000) throw new InvalidDataException($"implausible header count {count}");
            var headers = new List<KeyValuePair<string, string>>(count);
            for (var i = 0; i < count; i++)
            {
                var name = Encoding.UTF8.GetString(ReadExactly(ReadLength()));
                var value = Encoding.UTF8.GetString(ReadExactly(ReadLength()));
                foreach (var part in value.Split('\0')) headers.Add(new(name.ToLowerInvariant(), part));
            }
            return headers;
        }

        private int ReadLength()
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(ReadExactly(4));
            return length is >= 0 and <= 64 * 1024 ? length : throw new InvalidDataException($"implausible header length {length}");
        }

        private byte[] ReadExactly(int count)
        {
            var bytes = new byte[count];
            var read = 0;
            while (read < count)
            {
                var n = _inflater.Read(bytes, read, count - read);
                if (n == 0) throw new InvalidDataException("the header block ended early");
                read += n;
            }
            return bytes;
        }

        public void Dispose()
        {
            _inflater.Dispose();
            _input.Dispose();
        }
    }

    /// <summary>Bytes handed over one frame at a time; reads what is there and answers 0 (for now) when nothing is.</summary>
    private sealed class FeedStream : Stream
    {
        private readonly Queue<byte[]> _pieces = new();
        private int _offset;

        public void Feed(ReadOnlySpan<byte> data)
        {
            if (!data.IsEmpty) _pieces.Enqueue(data.ToArray());
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_pieces.Count == 0) return 0;
            var piece = _pieces.Peek();
            var n = Math.Min(count, piece.Length - _offset);
            Array.Copy(piece, _offset, buffer, offset, n);
            _offset += n;
            if (_offset == piece.Length)
            {
                _pieces.Dequeue();
                _offset = 0;
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

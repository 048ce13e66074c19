using System.IO.Compression;
using Orchestrator.Cluster.Streams;
using Orchestrator.Host.Api.Streaming;

namespace Orchestrator.Host.Tests.Streaming;

/// <summary>The pure parts of exec / port-forward streaming: SPDY/3 header blocks, exec statuses, resize events.</summary>
public sealed class StreamingProtocolTests
{
    [Fact]
    public void The_spdy3_dictionary_is_the_one_of_the_spec()
    {
        Assert.Equal(1423, SpdyHeaderBlocks.Dictionary.Length);
        Assert.Equal(0xe3c6a7c2u, Adler32(SpdyHeaderBlocks.Dictionary)); // the DICTID Go's SPDY writer puts in its zlib header
    }

    [Fact]
    public void Header_blocks_compressed_with_the_dictionary_decode_one_frame_after_another()
    {
        // Written by zlib at level 9 with the SPDY/3 dictionary and a sync flush per frame, as Go's SPDY framer does.
        var first = Convert.FromHexString("78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45e01c6061606100a4398b20d198094ade8c0600000000ffff");
        var second = Convert.FromHexString("c2aa19540e2512d60b000000ffff");
        using var reader = new SpdyHeaderBlocks.Reader();
        Assert.Equal([new("streamtype", "error"), new("port", "8080"), new("requestid", "0")], reader.Decode(first));
        Assert.Equal([new("streamtype", "data"), new("port", "8080"), new("requestid", "0")], reader.Decode(second));
    }

    [Fact]
    public void Written_header_blocks_are_one_zlib_stream_that_ends_each_frame_with_a_sync_flush()
    {
        var writer = new SpdyHeaderBlocks.Writer();
        var one = writer.Encode([new("a", "1")]);
        var two = writer.Encode([]);
        Assert.Equal([0x78, 0x01], one[..2]); // no dictionary
        Assert.Equal([0x00, 0x00, 0x00, 0xff, 0xff], one[^5..]);
        using var zlib = new ZLibStream(new MemoryStream([.. one, .. two]), CompressionMode.Decompress);
        var plain = new byte[4 + 4 + 1 + 4 + 1 + 4];
        zlib.ReadExactly(plain);
        Assert.Equal(Convert.FromHexString("0000000100000001610000000131" + "00000000"), plain);
    }

    [Fact]
    public void Garbage_header_blocks_are_refused_not_crashed_on()
    {
        using var reader = new SpdyHeaderBlocks.Reader();
        Assert.Throws<InvalidDataException>(() => reader.Decode([0x01, 0x02, 0x03]));
    }

    private static readonly PodStreamRequest Exec = new(PodStreamKind.Exec, "default", "p", "u", "c", ["sh", "-c", "exit 3"], false, true, true, false);

    [Fact]
    public void A_non_zero_exit_code_is_a_failure_status_with_the_code_as_kubectl_reads_it()
    {
        var status = RemoteCommandProtocol.StatusOf(new PodStreamEnd(3, null), Exec, versioned: true)!;
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal("NonZeroExitCode", status["reason"]!.GetValue<string>());
        Assert.Equal("ExitCode", status["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("3", status["details"]!["causes"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void Success_is_a_status_in_v4_and_nothing_in_the_unversioned_protocol()
    {
        Assert.Equal("""{"metadata":{},"status":"Success"}""", RemoteCommandProtocol.StatusOf(PodStreamEnd.Success, Exec, versioned: true)!.ToJsonString());
        Assert.Null(RemoteCommandProtocol.StatusOf(PodStreamEnd.Success, Exec, versioned: false));
        var failed = RemoteCommandProtocol.StatusOf(PodStreamEnd.Failed("engine gone"), Exec, versioned: true)!;
        Assert.Equal("InternalError", failed["reason"]!.GetValue<string>());
        Assert.Contains("engine gone", failed["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Width":120,"Height":40}""", true, 120, 40)]
    [InlineData("""{"Width":80,"Height":24}{"Width":100,"Height":30}""", true, 100, 30)]
    [InlineData("""{"width":90,"height":20}""", true, 90, 20)]
    [InlineData("""{"Width":0,"Height":0}""", false, 0, 0)]
    [InlineData("""not json""", false, 0, 0)]
    [InlineData("""{"Width":70000,"Height":1}""", false, 0, 0)]
    public void Resize_events_are_read_like_the_kubelet_reads_them(string json, bool ok, int width, int height)
    {
        Assert.Equal(ok, RemoteCommandProtocol.TryReadSize(System.Text.Encoding.UTF8.GetBytes(json), out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Theory]
    [InlineData("80", new[] { 80 })]
    [InlineData("80,8080", new[] { 80, 8080 })]
    public void Port_lists_are_parsed(string query, int[] ports) =>
        Assert.Equal(ports, PortForwardProtocol.ParsePorts(query));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("http")]
    [InlineData("70000")]
    public void Bad_port_lists_are_a_400(string query)
    {
        var e = Assert.Throws<Orchestrator.Domain.Resources.ApiErrorException>(() => PortForwardProtocol.ParsePorts(query));
        Assert.Equal(400, e.Error.Code);
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }
}

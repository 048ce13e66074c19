using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.Pbm.Tests.Protocol;

public sealed class ProtocolConnectionTests
{
    public static TheoryData<ProtocolMessage> EveryMessage() =>
    [
        new ClientHello(1, "pbm 1.0"),
        new HostWelcome(1, "akka.tcp://sys@127.0.0.1:4053", true,
        [
            new PaletteDefinition("cluster", "Membership.",
            [
                new CommandDefinition("down", "Downs.", [new SwitchDefinition("address", "a", "Address.", IsRequired: true)], IsMutating: true),
                new CommandDefinition("show", "Shows.", [SwitchDefinition.Output]),
                new CommandDefinition("tail", "Streams.", [], IsStreaming: true),
            ]),
        ]),
        new ExecuteCommand("7", "cluster", "down", new Dictionary<string, string> { ["address"] = "akka.tcp://sys@h:1" }, "s3cret"),
        new CancelCommand("7"),
        new TextOutput("7", "hello", IsError: true),
        new TableOutputMessage("7", new TableOutput("title", ["A", "B"], [["1", "2"], ["3", "4"]])),
        new CommandCompleted("7", 4, "refused"),
        new ProtocolError("bad"),
    ];

    [Theory]
    [MemberData(nameof(EveryMessage))]
    public void Every_message_survives_a_round_trip(ProtocolMessage message)
    {
        var line = ProtocolConnection.Serialize(message);
        var back = ProtocolConnection.Deserialize(line);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(line, ProtocolConnection.Serialize(back));
    }

    [Fact]
    public void Messages_carry_a_type_discriminator_and_camel_case_names()
    {
        var line = ProtocolConnection.Serialize(new CommandCompleted("1", 0));

        Assert.Equal("""{"type":"completed","requestId":"1","exitCode":0}""", line);
    }

    [Fact]
    public void Json_output_keeps_the_document()
    {
        using var document = JsonDocument.Parse("""{"members":[{"address":"a"}]}""");
        var line = ProtocolConnection.Serialize(new JsonOutput("1", document.RootElement));

        var back = Assert.IsType<JsonOutput>(ProtocolConnection.Deserialize(line));
        Assert.Equal("a", back.Value.GetProperty("members")[0].GetProperty("address").GetString());
    }

    [Fact]
    public void The_discriminator_may_come_after_other_properties()
    {
        var message = ProtocolConnection.Deserialize("""{"requestId":"9","type":"cancel"}""");

        Assert.Equal(new CancelCommand("9"), message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"type":"launch-missiles"}""")]
    [InlineData("""{"requestId":"1"}""")]
    [InlineData("null")]
    public void Anything_else_is_a_protocol_error(string line) =>
        Assert.Throws<ProtocolException>(() => ProtocolConnection.Deserialize(line));

    [Fact]
    public void The_token_never_appears_when_a_request_is_printed()
    {
        var request = new ExecuteCommand("1", "cluster", "down", new Dictionary<string, string>(), "s3cret");

        Assert.DoesNotContain("s3cret", request.ToString(), StringComparison.Ordinal);
        Assert.Contains("(redacted)", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_messages_split_across_writes_and_skips_blank_lines()
    {
        var text = "\r\n" + ProtocolConnection.Serialize(new CancelCommand("1")) + "\r\n\n" + ProtocolConnection.Serialize(new CancelCommand("2")) + "\n";
        await using var pipe = new ChunkedStream(Encoding.UTF8.GetBytes(text), chunkSize: 3);
        await using var connection = new ProtocolConnection(pipe);

        Assert.Equal(new CancelCommand("1"), await connection.ReadAsync(CancellationToken.None));
        Assert.Equal(new CancelCommand("2"), await connection.ReadAsync(CancellationToken.None));
        Assert.Null(await connection.ReadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Several_messages_and_blank_lines_in_one_read_all_come_out(int chunkSize)
    {
        var text = "\n" + ProtocolConnection.Serialize(new CancelCommand("1")) + "\n\r\n" +
                   ProtocolConnection.Serialize(new CancelCommand("2")) + "\n" + ProtocolConnection.Serialize(new CancelCommand("3")) + "\n";
        await using var stream = new ChunkedStream(Encoding.UTF8.GetBytes(text), chunkSize);
        await using var connection = new ProtocolConnection(stream);

        Assert.Equal(new CancelCommand("1"), await connection.ReadAsync(CancellationToken.None));
        Assert.Equal(new CancelCommand("2"), await connection.ReadAsync(CancellationToken.None));
        Assert.Equal(new CancelCommand("3"), await connection.ReadAsync(CancellationToken.None));
        Assert.Null(await connection.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_line_cut_off_by_the_end_of_the_stream_is_an_error()
    {
        await using var stream = new ChunkedStream("{\"type\":\"cancel\""u8.ToArray(), chunkSize: 100);
        await using var connection = new ProtocolConnection(stream);

        await Assert.ThrowsAsync<ProtocolException>(() => connection.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_without_buffering_it_all()
    {
        var huge = new byte[ProtocolConnection.MaxLineBytes + 10];
        huge.AsSpan().Fill((byte)'x');
        await using var stream = new ChunkedStream(huge, chunkSize: 64 * 1024);
        await using var connection = new ProtocolConnection(stream);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => connection.ReadAsync(CancellationToken.None));
        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Written_messages_are_lines()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var clientEnd = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        await using var writer = new ProtocolConnection(clientEnd);
        await using var reader = new ProtocolConnection(server);

        await writer.WriteAsync(new CancelCommand("1"), CancellationToken.None);
        await writer.WriteAsync(new CommandCompleted("1", 130, "cancelled"), CancellationToken.None);

        Assert.Equal(new CancelCommand("1"), await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new CommandCompleted("1", 130, "cancelled"), await reader.ReadAsync(CancellationToken.None));
    }

    /// <summary>A read-only stream that hands out its bytes a few at a time, like a slow socket.</summary>
    private sealed class ChunkedStream(byte[] content, int chunkSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunkSize), content.Length - _position);
            Array.Copy(content, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

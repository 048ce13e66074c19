using System.Net.Sockets;
using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.Pbm.Tests.Host;

/// <summary>The host's side of the protocol, spoken by a raw client over a real socket.</summary>
public sealed class CommandHostServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakePalette _palette = new();
    private CommandHostServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = new CommandHostServer(new CommandHostSettings("127.0.0.1", 0, ""), [_palette], "test-node");
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_handshake_answers_with_the_palettes()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        var welcome = await client.HelloAsync();

        Assert.Equal("test-node", welcome.Node);
        Assert.False(welcome.TokenRequired);
        var palette = Assert.Single(welcome.Palettes);
        Assert.Equal("fake", palette.Name);
        Assert.True(palette.FindCommand("wait")!.IsStreaming);
        Assert.True(palette.FindCommand("delete")!.IsMutating);
        Assert.True(palette.FindCommand("echo")!.FindSwitch("m")!.IsRequired);
    }

    [Fact]
    public async Task Output_chunks_come_before_the_completion()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();

        await client.SendAsync(new ExecuteCommand("1", "fake", "echo", new Dictionary<string, string> { ["message"] = "hi" }));

        Assert.Equal(new TextOutput("1", "hi"), await client.ReceiveAsync());
        Assert.Equal(new CommandCompleted("1", 0), await client.ReceiveAsync());
    }

    [Fact]
    public async Task Json_output_is_camel_case()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();

        await client.SendAsync(new ExecuteCommand("1", "fake", "table", new Dictionary<string, string> { ["output"] = "json" }));

        var json = Assert.IsType<JsonOutput>(await client.ReceiveAsync());
        Assert.Equal("a", json.Value.GetProperty("name").GetString());
        Assert.Equal(1, json.Value.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Cancel_fires_the_command_token_and_completes_with_130()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();

        await client.SendAsync(new ExecuteCommand("5", "fake", "wait", new Dictionary<string, string>()));
        Assert.Equal(new TextOutput("5", "waiting"), await client.ReceiveAsync());
        Assert.Equal(1, _server.ActiveCommandCount);
        await client.SendAsync(new CancelCommand("5"));

        await _palette.Cancelled.Task.WaitAsync(Timeout);
        Assert.Equal(new CommandCompleted("5", ExitCodes.Cancelled, "cancelled"), await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_commands()
    {
        var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();
        await client.SendAsync(new ExecuteCommand("5", "fake", "wait", new Dictionary<string, string>()));
        await _palette.Started.Task.WaitAsync(Timeout);

        await client.DisposeAsync();

        await _palette.Cancelled.Task.WaitAsync(Timeout);
    }

    [Theory]
    [InlineData("nope", "echo", "unknown palette 'nope'. Known palettes: fake.")]
    [InlineData("fake", "nope", "palette 'fake' has no command 'nope'. Its commands: echo, table, wait, fail, delete.")]
    public async Task Unknown_palettes_and_commands_are_usage_errors(string palette, string command, string error)
    {
        await using var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();

        await client.SendAsync(new ExecuteCommand("1", palette, command, new Dictionary<string, string>()));

        Assert.Equal(new CommandCompleted("1", ExitCodes.UsageError, error), await client.ReceiveAsync());
    }

    [Fact]
    public async Task The_host_checks_switches_even_if_the_client_did_not()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();

        await client.SendAsync(new ExecuteCommand("1", "fake", "echo", new Dictionary<string, string>()));
        var missing = Assert.IsType<CommandCompleted>(await client.ReceiveAsync());
        await client.SendAsync(new ExecuteCommand("2", "fake", "echo", new Dictionary<string, string> { ["message"] = "x", ["bogus"] = "y" }));
        var unknown = Assert.IsType<CommandCompleted>(await client.ReceiveAsync());
        await client.SendAsync(new ExecuteCommand("3", "fake", "table", new Dictionary<string, string> { ["output"] = "xml" }));
        var notAllowed = Assert.IsType<CommandCompleted>(await client.ReceiveAsync());

        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.Contains("needs -m|--message <value>", missing.Error, StringComparison.Ordinal);
        Assert.Contains("has no switch --bogus", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("--output must be one of table, json", notAllowed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_command_reports_why_and_the_connection_stays_usable()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        await client.HelloAsync();

        await client.SendAsync(new ExecuteCommand("1", "fake", "fail", new Dictionary<string, string>()));
        Assert.Equal(new CommandCompleted("1", ExitCodes.CommandFailed, "'fake fail' failed: the disk is on fire"), await client.ReceiveAsync());

        await client.SendAsync(new ExecuteCommand("2", "fake", "echo", new Dictionary<string, string> { ["message"] = "still here" }));
        Assert.Equal(new TextOutput("2", "still here"), await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_request_before_the_handshake_is_refused_and_the_connection_closed()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.SendAsync(new ExecuteCommand("1", "fake", "echo", new Dictionary<string, string> { ["message"] = "x" }));

        Assert.IsType<ProtocolError>(await client.ReceiveAsync());
        Assert.Null(await client.ReceiveOrEndAsync());
    }

    [Fact]
    public async Task Another_protocol_version_is_refused_with_advice()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.SendAsync(new ClientHello(99, "pbm future"));

        var error = Assert.IsType<ProtocolError>(await client.ReceiveAsync());
        Assert.Contains("use a pbm of the same release", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_gets_an_error_line()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.SendRawLineAsync("GET / HTTP/1.1");

        Assert.IsType<ProtocolError>(await client.ReceiveAsync());
    }

    [Fact]
    public async Task Starting_twice_is_refused()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _server.StartAsync());
    }

    [Fact]
    public async Task Binding_beyond_loopback_without_a_token_refuses_to_start()
    {
        await using var exposed = new CommandHostServer(new CommandHostSettings("0.0.0.0", 0, ""), [_palette], "n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => exposed.StartAsync());

        Assert.Contains("needs a token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Palette_names_must_be_unique()
    {
        Assert.Throws<ArgumentException>(() => new CommandHostServer(new CommandHostSettings("127.0.0.1", 0, ""), [_palette, new FakePalette()], "n"));
    }

    /// <summary>Speaks the protocol directly, without the pbm client.</summary>
    private sealed class RawClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly ProtocolConnection _connection;

        private RawClient(TcpClient tcp)
        {
            _tcp = tcp;
            _connection = new ProtocolConnection(tcp.GetStream());
        }

        public static async Task<RawClient> ConnectAsync(CommandHostServer server)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(server.BoundEndpoint!);
            return new RawClient(tcp);
        }

        public async Task<HostWelcome> HelloAsync()
        {
            await SendAsync(new ClientHello(ProtocolMessage.CurrentVersion, "test"));
            return Assert.IsType<HostWelcome>(await ReceiveAsync());
        }

        public Task SendAsync(ProtocolMessage message) => _connection.WriteAsync(message, CancellationToken.None);

        public async Task SendRawLineAsync(string line)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
            await _tcp.GetStream().WriteAsync(bytes);
        }

        public async Task<ProtocolMessage> ReceiveAsync() =>
            await ReceiveOrEndAsync() ?? throw new Xunit.Sdk.XunitException("the host closed the connection");

        public async Task<ProtocolMessage?> ReceiveOrEndAsync()
        {
            using var timeout = new CancellationTokenSource(Timeout);
            return await _connection.ReadAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _connection.DisposeAsync();
            _tcp.Dispose();
        }
    }
}

extern alias PbmClient;
using PbmClient::Orchestrator.CommandHost;
using PbmClient::Orchestrator.Pbm.Client;
using PbmClient::Orchestrator.Pbm.Grammar;

namespace Orchestrator.Pbm.Tests.Client;

/// <summary>
/// <c>-f FILE</c> and <c>-f -</c> are read no further than <see cref="LocalFileArguments.MaxFileBytes"/>
/// (issue 19): a larger file or standard input is refused with a message naming it, and an endless
/// source (a device whose length reads as 0, an endless pipe) is refused after one byte too many.
/// </summary>
public sealed class LocalFileArgumentsTests
{
    private static readonly CommandDefinition Apply = new("apply", "applies", [new SwitchDefinition("filename", "f", "the manifest", IsLocalFile: true)]);

    private static ParsedCommand Command(string path) => new("resource", "apply", new Dictionary<string, string> { ["filename"] = path });

    [Fact]
    public async Task Standard_input_within_the_limit_is_inlined()
    {
        var inlined = await LocalFileArguments.InlineAsync(Command("-"), Apply, new StringReader("kind: Namespace\n"));
        Assert.Equal("kind: Namespace\n", inlined.Arguments["filename"]);
    }

    [Fact]
    public async Task Standard_input_larger_than_the_body_limit_is_refused_without_reading_it_all()
    {
        var endless = new EndlessReader();
        var e = await Assert.ThrowsAsync<LocalFileException>(() => LocalFileArguments.InlineAsync(Command("-"), Apply, endless));
        Assert.Contains("standard input", e.Message, StringComparison.Ordinal);
        Assert.Contains($"larger than {LocalFileArguments.MaxFileBytes} bytes", e.Message, StringComparison.Ordinal);
        Assert.InRange(endless.Served, LocalFileArguments.MaxFileBytes, LocalFileArguments.MaxFileBytes + 128 * 1024);
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_is_refused_and_a_device_of_no_length_is_bounded_too()
    {
        var big = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(big, new string('a', (int)LocalFileArguments.MaxFileBytes + 1));
            var e = await Assert.ThrowsAsync<LocalFileException>(() => LocalFileArguments.InlineAsync(Command(big), Apply, TextReader.Null));
            Assert.Contains($"the limit is {LocalFileArguments.MaxFileBytes} bytes", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(big);
        }
        // /dev/zero says it is 0 bytes long and never ends.
        var zero = await Assert.ThrowsAsync<LocalFileException>(() => LocalFileArguments.InlineAsync(Command("/dev/zero"), Apply, TextReader.Null));
        Assert.Contains("'/dev/zero' is larger than", zero.Message, StringComparison.Ordinal);
    }

    /// <summary>Standard input that never ends (an endless pipe), counting what it handed out.</summary>
    private sealed class EndlessReader : TextReader
    {
        public long Served { get; private set; }

        public override int Read(char[] buffer, int index, int count)
        {
            Array.Fill(buffer, 'x', index, count);
            Served += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            buffer.Span.Fill('x');
            Served += buffer.Length;
            return ValueTask.FromResult(buffer.Length);
        }
    }
}

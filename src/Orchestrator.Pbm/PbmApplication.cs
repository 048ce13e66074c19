using System.Runtime.InteropServices;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Pbm.Client;
using Orchestrator.Pbm.Grammar;
using Orchestrator.Pbm.Interactive;
using Orchestrator.Pbm.Rendering;

namespace Orchestrator.Pbm;

/// <summary>
/// pbm from arguments to exit code: split off the address, connect (learning the palettes),
/// then run one command or the interactive prompt.
/// </summary>
internal sealed class PbmApplication
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly PbmConsole _console;
    private readonly OutputRenderer _renderer;
    private readonly Func<string, string?> _environment;
    private readonly object _gate = new();
    private CancellationTokenSource? _runningCommand;

    public PbmApplication(PbmConsole console, Func<string, string?>? environment = null)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
        _renderer = new OutputRenderer(console);
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var target = InvocationTarget.Split(args, out var addressError);
        if (target is null)
        {
            _renderer.WriteError(addressError!);
            _console.Error.WriteLine(HelpWriter.Usage);
            return ExitCodes.UsageError;
        }

        if (target.Words is ["--version"] or ["version"])
        {
            _console.Out.WriteLine($"pbm {typeof(PbmApplication).Assembly.GetName().Version} (protocol {ProtocolMessage.CurrentVersion})");
            return ExitCodes.Success;
        }

        // Ctrl+C while a command runs cancels that command (the host is told); otherwise it ends pbm.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnInterrupt);

        CommandHostClient client;
        try
        {
            client = await CommandHostClient.ConnectAsync(target.Endpoint, ConnectTimeout, CancellationToken.None);
        }
        catch (HostUnavailableException e)
        {
            _renderer.WriteError(e.Message);
            if (target.Words.Count > 0 && target.Words[0] is "help" or "-h" or "--help" or "-?")
                _console.Error.WriteLine(HelpWriter.Usage + " (the palettes come from the node, so connect to see them)");
            return ExitCodes.HostUnavailable;
        }

        await using (client)
        {
            var tree = new PaletteCommandTree(client.Welcome.Palettes);
            if (target.Words.Count == 0)
                return await new InteractivePrompt(this, client, tree, _console).RunAsync();
            return await RunLineAsync(client, tree, target.Words);
        }
    }

    /// <summary>Parses and runs one command line (words after the address); returns its exit code.</summary>
    internal async Task<int> RunLineAsync(CommandHostClient client, PaletteCommandTree tree, IReadOnlyList<string> words)
    {
        switch (tree.Parse(words))
        {
            case HelpRequested help:
                return new HelpWriter(_renderer, _console.Out).Write(tree, help) ? ExitCodes.Success : ExitCodes.UsageError;
            case ParseFailed failed:
                _renderer.WriteError(failed.Message);
                return ExitCodes.UsageError;
            case ParsedCommand command:
                try
                {
                    command = await LocalFileArguments.InlineAsync(
                        command, tree.FindPalette(command.Palette)!.FindCommand(command.Command)!, _console.In);
                }
                catch (LocalFileException e)
                {
                    _renderer.WriteError(e.Message);
                    return ExitCodes.UsageError;
                }
                return await ExecuteAsync(client, command);
            default:
                throw new InvalidOperationException("unreachable: unknown parse outcome");
        }
    }

    private async Task<int> ExecuteAsync(CommandHostClient client, ParsedCommand command)
    {
        using var cancellation = new CancellationTokenSource();
        lock (_gate)
            _runningCommand = cancellation;
        try
        {
            var completed = await client.ExecuteAsync(command, ClientToken.Read(_environment), _renderer.RenderAsync, cancellation.Token);
            if (completed.ExitCode == ExitCodes.Cancelled)
                _console.Error.WriteLine(completed.Error is null or "cancelled"
                    ? $"pbm: '{command.CommandLine}' cancelled."
                    : $"pbm: '{command.CommandLine}' cancelled: {completed.Error}");
            else if (completed.ExitCode != ExitCodes.Success)
                _renderer.WriteError(completed.Error ?? $"'{command.CommandLine}' failed with exit code {completed.ExitCode}.");
            return completed.ExitCode;
        }
        catch (HostUnavailableException e)
        {
            _renderer.WriteError(e.Message);
            return ExitCodes.HostUnavailable;
        }
        catch (TokenUnavailableException e)
        {
            _renderer.WriteError(e.Message);
            return ExitCodes.UsageError;
        }
        finally
        {
            lock (_gate)
                _runningCommand = null;
        }
    }

    private void OnInterrupt(PosixSignalContext context)
    {
        lock (_gate)
        {
            if (_runningCommand is null)
                return; // nothing to cancel: let the signal end pbm
            context.Cancel = true;
            _runningCommand.Cancel();
        }
    }
}

using Orchestrator.CommandHost.Protocol;
using Orchestrator.Pbm.Client;
using Orchestrator.Pbm.Grammar;
using Orchestrator.Pbm.Rendering;

namespace Orchestrator.Pbm.Interactive;

/// <summary>
/// The <c>[host:port] pbm&gt;</c> prompt: reads a line, runs it, repeats until <c>exit</c> or end of
/// input. On a terminal it has history (Up/Down) and Tab completion of palettes, commands and
/// switches; with stdin redirected it reads plain lines and echoes each after the prompt, so a
/// script's transcript reads like a session.
/// </summary>
internal sealed class InteractivePrompt(PbmApplication application, CommandHostClient client, PaletteCommandTree tree, PbmConsole console)
{
    /// <summary>Words the prompt understands besides palettes.</summary>
    public static readonly IReadOnlyList<string> BuiltInWords = ["help", "history", "exit", "quit"];

    private readonly List<string> _history = [];

    /// <summary>Returns 0 when every command succeeded, otherwise the last failing command's exit code.</summary>
    public async Task<int> RunAsync()
    {
        var prompt = $"[{client.Endpoint}] pbm> ";
        console.Out.WriteLine($"Connected to {client.Welcome.Node} at {client.Endpoint}. Type 'help' for commands, 'exit' to leave.");
        var editor = console.IsInputRedirected ? null : new LineEditor(console.Out, line => tree.Complete(line, BuiltInWords));
        var lastFailure = ExitCodes.Success;
        while (true)
        {
            string? line;
            if (editor is null)
            {
                console.Out.Write(prompt);
                line = await console.In.ReadLineAsync();
                console.Out.WriteLine(line ?? "");
            }
            else
            {
                line = editor.ReadLine(prompt, _history);
            }
            if (line is null)
                return lastFailure;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            _history.Add(line);

            if (!LineSplitter.TrySplit(line, out var words, out var splitError))
            {
                console.Error.WriteLine($"pbm: {splitError}");
                lastFailure = ExitCodes.UsageError;
                continue;
            }
            if (words.Count == 0)
                continue;
            switch (words[0])
            {
                case "exit" or "quit":
                    return lastFailure;
                case "history":
                    for (var i = 0; i < _history.Count; i++)
                        console.Out.WriteLine($"{i + 1,4}  {_history[i]}");
                    continue;
            }

            var exitCode = await application.RunLineAsync(client, tree, words);
            await console.Out.FlushAsync();
            if (exitCode == ExitCodes.HostUnavailable)
                return exitCode; // the connection is gone; nothing more can run
            if (exitCode != ExitCodes.Success)
                lastFailure = exitCode;
        }
    }
}

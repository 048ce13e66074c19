using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.Pbm.Tests.Host;

/// <summary>A palette without Akka: echo, a table, a streaming wait, a failure, a mutating delete.</summary>
internal sealed class FakePalette : CommandPalette
{
    public FakePalette() : base("fake", "Test palette.")
    {
        AddCommand(new CommandDefinition("echo", "Echoes.", [new SwitchDefinition("message", "m", "Text.", IsRequired: true)]),
            async (request, output, ct) =>
            {
                await output.WriteLineAsync(request.GetSwitch("message")!, ct);
                return ExitCodes.Success;
            });
        AddCommand(new CommandDefinition("table", "A table or JSON.", [SwitchDefinition.Output]),
            async (request, output, ct) =>
            {
                if (request.WantsJson)
                    await output.WriteJsonAsync(new { Name = "a", Count = 1 }, ct);
                else
                    await output.WriteTableAsync(new TableOutput(null, ["NAME", "COUNT"], [["a", "1"]]), ct);
                return ExitCodes.Success;
            });
        AddCommand(new CommandDefinition("wait", "Streams until cancelled.", [], IsStreaming: true),
            async (request, output, ct) =>
            {
                await output.WriteLineAsync("waiting", ct);
                Started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    Cancelled.TrySetResult();
                    throw;
                }
                return ExitCodes.Success;
            });
        AddCommand(new CommandDefinition("fail", "Throws.", []),
            (_, _, _) => throw new InvalidOperationException("the disk is on fire"));
        AddCommand(new CommandDefinition("delete", "Mutates.", [], IsMutating: true),
            async (_, output, ct) =>
            {
                await output.WriteLineAsync("deleted", ct);
                return ExitCodes.Success;
            });
    }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

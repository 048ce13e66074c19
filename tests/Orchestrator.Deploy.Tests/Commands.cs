using System.Diagnostics;

namespace Orchestrator.Deploy.Tests;

/// <summary>The outcome of one command line.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public CommandResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{Command} failed ({ExitCode}):\n{Stderr}\n{Stdout}");
}

/// <summary>Runs a program (docker, docker-compose, bash) to its end, within a time limit.</summary>
public static class Commands
{
    public static async Task<CommandResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var line = program + " " + string.Join(' ', start.ArgumentList);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{line} did not finish within {timeout.TotalSeconds:0} s");
        }
        return new CommandResult(line, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Null when <paramref name="program"/> is on the PATH, otherwise why not.</summary>
    public static string? Missing(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, program)))
            ? null
            : $"{program} is not installed (run scripts/setup.sh)";
}

/// <summary>A fact that runs the compose cluster: needs a Docker engine, docker-compose and kubectl; skipped with a reason where one is missing, failed in CI.</summary>
public sealed class ComposeFactAttribute : FactAttribute
{
    public ComposeFactAttribute() => Skip = Orchestrator.TestSupport.RealParts.SkipReason(
        Orchestrator.TestSupport.RealParts.DockerUnavailable ?? Commands.Missing("docker-compose") ?? Orchestrator.TestSupport.RealParts.KubectlUnavailable);
}

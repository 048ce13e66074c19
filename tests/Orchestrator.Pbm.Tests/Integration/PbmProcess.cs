using System.Diagnostics;
using System.Text;

namespace Orchestrator.Pbm.Tests.Integration;

/// <summary>
/// Runs the real built client (<c>dotnet pbm.dll ...</c>) as a child process, collects its output
/// line by line and lets a test await a line or the exit, always with a timeout.
/// </summary>
public sealed class PbmProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly object _gate = new();
    private TaskCompletionSource _outputChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PbmProcess(Process process) => _process = process;

    /// <summary>pbm.dll as built next to this test assembly (the project reference copies it).</summary>
    public static string PbmDll => Path.Combine(AppContext.BaseDirectory, "pbm.dll");

    public string StandardOutput
    {
        get
        {
            lock (_gate)
                return string.Join("\n", _stdout);
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
                return string.Join("\n", _stderr);
        }
    }

    /// <summary>Starts pbm with <paramref name="args"/>; no token in its environment unless given.</summary>
    public static PbmProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(PbmDll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment.Remove("ORCHESTRATOR_TOKEN");
        start.Environment.Remove("ORCHESTRATOR_TOKEN_FILE");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var pbm = new PbmProcess(process);
        process.OutputDataReceived += (_, e) => pbm.Append(pbm._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => pbm.Append(pbm._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return pbm;
    }

    /// <summary>Runs pbm to its end, optionally feeding <paramref name="input"/> on stdin.</summary>
    public static async Task<PbmResult> RunAsync(IEnumerable<string> args, string? input = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var pbm = Start(args, environment);
        if (input is not null)
            await pbm._process.StandardInput.WriteAsync(input);
        pbm._process.StandardInput.Close();
        return await pbm.WaitForExitAsync(DefaultTimeout);
    }

    /// <summary>Waits until some stdout line satisfies <paramref name="predicate"/>; fails with the output so far on timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var match = _stdout.FirstOrDefault(predicate);
                if (match is not null)
                    return match;
                changed = _outputChanged.Task;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"pbm printed no such line within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            }
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<PbmResult> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"pbm did not exit within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
        _process.WaitForExit(); // drains the asynchronous output readers
        return new PbmResult(_process.ExitCode, StandardOutput, StandardError);
    }

    private void Append(List<string> lines, string? line)
    {
        if (line is null)
            return;
        TaskCompletionSource changed;
        lock (_gate)
        {
            lines.Add(line);
            changed = _outputChanged;
            _outputChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>How pbm ended and what it printed.</summary>
public sealed record PbmResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

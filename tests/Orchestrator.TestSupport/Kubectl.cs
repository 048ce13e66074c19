using System.Diagnostics;

namespace Orchestrator.TestSupport;

/// <summary>The outcome of one kubectl run.</summary>
public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public KubectlResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"kubectl failed ({ExitCode}):\n{Stderr}\n{Stdout}");
}

/// <summary>Runs the real kubectl binary against a node's API server.</summary>
/// <param name="server">The API's base address.</param>
/// <param name="token">A bearer token to send.</param>
/// <param name="certificateAuthority">The API certificate to trust.</param>
/// <param name="binary">Another kubectl binary than <see cref="RealParts.KubectlPath"/> (e.g. one version of several).</param>
public sealed class Kubectl(string server, string? token = null, string? certificateAuthority = null, string? binary = null)
{
    /// <summary>The kubectl binary this runs.</summary>
    public string Binary => binary ?? RealParts.KubectlPath;

    public async Task<KubectlResult> RunAsync(string arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in BaseArguments()) start.ArgumentList.Add(arg);
        foreach (var arg in Split(arguments)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            throw new TimeoutException($"kubectl {arguments} did not finish in time");
        }
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose output lines arrive in a channel.</summary>
    public KubectlWatch Watch(string arguments)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in BaseArguments()) start.ArgumentList.Add(arg);
        foreach (var arg in Split(arguments)) start.ArgumentList.Add(arg);
        return new KubectlWatch(Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl"));
    }

    private IEnumerable<string> BaseArguments()
    {
        yield return "--server";
        yield return server;
        if (token is not null)
        {
            yield return "--token";
            yield return token;
        }
        if (certificateAuthority is not null)
        {
            yield return "--certificate-authority";
            yield return certificateAuthority;
        }
        yield return "--request-timeout=30s";
    }

    /// <summary>Splits on spaces, keeping single-quoted parts together ('tier in (front)').</summary>
    private static IEnumerable<string> Split(string arguments)
    {
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in arguments)
        {
            if (c == '\'') { quoted = !quoted; continue; }
            if (c == ' ' && !quoted)
            {
                if (current.Length > 0) { yield return current.ToString(); current.Clear(); }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0) yield return current.ToString();
    }
}

/// <summary>A running kubectl whose stdout lines can be awaited one by one.</summary>
public sealed class KubectlWatch : IDisposable
{
    private readonly Process _process;
    private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];

    public KubectlWatch(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.Writer.TryComplete();
            else _lines.Writer.TryWrite(e.Data);
        };
        process.BeginOutputReadLine();
    }

    /// <summary>Waits for a line containing every one of <paramref name="parts"/>.</summary>
    public async Task<string> WaitForLine(TimeSpan timeout, params string[] parts)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                    if (parts.All(p => line.Contains(p, StringComparison.Ordinal))) return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"no line with [{string.Join(", ", parts)}] within {timeout}; seen:\n{string.Join('\n', _seen)}\nstderr: {(_process.HasExited ? _process.StandardError.ReadToEnd() : "(running)")}");
    }

    /// <summary>Waits for kubectl to exit by itself and returns its exit code and stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stderr = _process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return (_process.ExitCode, await stderr);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kubectl did not exit within {timeout}; stdout seen:\n{string.Join('\n', _seen)}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(true);
        _process.Dispose();
    }
}

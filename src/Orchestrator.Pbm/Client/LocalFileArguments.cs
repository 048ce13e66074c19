using Orchestrator.CommandHost;
using Orchestrator.Pbm.Grammar;

namespace Orchestrator.Pbm.Client;

/// <summary>
/// Replaces the path typed for a <see cref="SwitchDefinition.IsLocalFile"/> switch with the
/// content of that file (or of standard input for <c>-</c>) before the command goes to the host,
/// which cannot see the client's files. Neither a file nor standard input is read beyond
/// <see cref="MaxFileBytes"/> (the API's default body limit, <c>orchestrator.api.max-body-bytes</c>):
/// a larger one is refused with a message naming it after reading one byte more, so
/// <c>-f /dev/zero</c> or an endless pipe cannot fill the client's memory.
/// </summary>
internal static class LocalFileArguments
{
    /// <summary>Largest file sent: 3 MiB (the API's default body limit), well inside one protocol line (<c>ProtocolConnection.MaxLineBytes</c>) once escaped.</summary>
    public const long MaxFileBytes = 3 * 1024 * 1024;

    /// <summary>The command with every local-file switch value replaced by that file's content.</summary>
    /// <exception cref="LocalFileException">A file cannot be read or is too large; the message names it.</exception>
    public static async Task<ParsedCommand> InlineAsync(ParsedCommand command, CommandDefinition definition, TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(standardInput);
        var fileSwitches = definition.Switches.Where(s => s.IsLocalFile && command.Arguments.ContainsKey(s.Name)).ToArray();
        if (fileSwitches.Length == 0)
            return command;

        var arguments = new Dictionary<string, string>(command.Arguments, StringComparer.Ordinal);
        foreach (var fileSwitch in fileSwitches)
            arguments[fileSwitch.Name] = await ReadAsync(fileSwitch, arguments[fileSwitch.Name], standardInput);
        return command with { Arguments = arguments };
    }

    /// <summary>All of <paramref name="reader"/>, refusing it once its UTF-8 size passes <see cref="MaxFileBytes"/>.</summary>
    private static async Task<string> ReadBoundedAsync(TextReader reader, string what)
    {
        var text = new System.Text.StringBuilder();
        var buffer = new char[64 * 1024];
        var bytes = 0L;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory())) > 0)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(buffer.AsSpan(0, read));
            if (bytes > MaxFileBytes)
                throw new LocalFileException($"{what} is larger than {MaxFileBytes} bytes, the limit (the API's default orchestrator.api.max-body-bytes); nothing was sent.");
            text.Append(buffer, 0, read);
        }
        return text.ToString();
    }

    private static async Task<string> ReadAsync(SwitchDefinition fileSwitch, string path, TextReader standardInput)
    {
        if (path == "-")
            return await ReadBoundedAsync(standardInput, $"--{fileSwitch.Name} - (standard input)");
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
                throw new LocalFileException(Directory.Exists(path)
                    ? $"--{fileSwitch.Name} '{path}' is a directory; give a file."
                    : $"--{fileSwitch.Name} '{path}' does not exist.");
            if (file.Length > MaxFileBytes)
                throw new LocalFileException($"--{fileSwitch.Name} '{path}' is {file.Length} bytes; the limit is {MaxFileBytes} bytes.");
            // The length can lie (a device, a FIFO, /proc, a file still growing): the read is bounded too.
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            return await ReadBoundedAsync(reader, $"--{fileSwitch.Name} '{path}'");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LocalFileException($"--{fileSwitch.Name} '{path}' cannot be read: {e.Message}", e);
        }
    }
}

/// <summary>A local file named on the command line cannot be sent; the message names it and why.</summary>
internal sealed class LocalFileException : Exception
{
    public LocalFileException()
    {
    }

    public LocalFileException(string message) : base(message)
    {
    }

    public LocalFileException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

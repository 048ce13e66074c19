namespace Orchestrator.Pbm.Grammar;

/// <summary>What a command line means, once checked against the host's palettes.</summary>
internal abstract record ParseOutcome;

/// <summary>Run this command; arguments keyed by switch long name, flags as "true".</summary>
internal sealed record ParsedCommand(string Palette, string Command, IReadOnlyDictionary<string, string> Arguments) : ParseOutcome
{
    public string CommandLine => $"{Palette} {Command}";
}

/// <summary>Show help: everything, one palette, or one command.</summary>
internal sealed record HelpRequested(string? Palette, string? Command) : ParseOutcome;

/// <summary>The line is wrong; <paramref name="Message"/> says what and what to do.</summary>
internal sealed record ParseFailed(string Message) : ParseOutcome;

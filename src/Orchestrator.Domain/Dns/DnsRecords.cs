using System.Net;

namespace Orchestrator.Domain.Dns;

/// <summary>The record types a question can ask the cluster zone for; any other is <see cref="Other"/> (answered with no data).</summary>
public enum DnsQuestionType
{
    A,
    Aaaa,
    Srv,
    Cname,
    Any,
    Other,
}

/// <summary>A record of an answer. Names are lower case, absolute, without the trailing dot.</summary>
public abstract record DnsAnswerRecord(string Name);

/// <summary>An A record.</summary>
public sealed record AddressRecord(string Name, IPAddress Address) : DnsAnswerRecord(Name);

/// <summary>An SRV record (RFC 2782).</summary>
public sealed record ServiceLocationRecord(string Name, int Priority, int Weight, int Port, string Target) : DnsAnswerRecord(Name);

/// <summary>A CNAME record (an ExternalName Service).</summary>
public sealed record AliasRecord(string Name, string Target) : DnsAnswerRecord(Name);

/// <summary>What the cluster zone says about a question.</summary>
public enum DnsOutcome
{
    /// <summary>Records of the type asked for (in <see cref="DnsResolution.Answers"/>).</summary>
    Answer,

    /// <summary>The name exists but has no record of the type asked for (NOERROR, empty answer).</summary>
    NoData,

    /// <summary>No such name in the cluster zone (NXDOMAIN).</summary>
    NameError,

    /// <summary>The name is outside the cluster zone: the host's resolvers answer it.</summary>
    NotInZone,
}

/// <summary>The answer to one question.</summary>
/// <param name="Outcome">What kind of answer.</param>
/// <param name="Answers">The answer section.</param>
/// <param name="Additional">Addresses of SRV targets (the additional section).</param>
public sealed record DnsResolution(DnsOutcome Outcome, IReadOnlyList<DnsAnswerRecord> Answers, IReadOnlyList<DnsAnswerRecord> Additional)
{
    public static DnsResolution NoData { get; } = new(DnsOutcome.NoData, [], []);

    public static DnsResolution NameError { get; } = new(DnsOutcome.NameError, [], []);

    public static DnsResolution NotInZone { get; } = new(DnsOutcome.NotInZone, [], []);

    /// <summary>The records, or <see cref="NoData"/> when there are none.</summary>
    public static DnsResolution Of(IReadOnlyList<DnsAnswerRecord> answers, IReadOnlyList<DnsAnswerRecord>? additional = null) =>
        answers.Count == 0 ? NoData : new(DnsOutcome.Answer, answers, additional ?? []);
}

using DailyPapers.Data;
using Microsoft.Extensions.Options;

namespace DailyPapers.Settings;

/// <summary>A settings class bound from one configuration section, listed in docs/configuration.md.</summary>
public interface ISettingsSection
{
    static abstract string Section { get; }
}

/// <summary>
/// The one configuration path of the server and every CLI verb. Sources, each overriding the one before: the defaults
/// in the settings classes, <c>dailypapers.json</c> in the data folder, <c>DAILYPAPERS_</c> environment variables
/// (<c>DAILYPAPERS_Mail__Host</c> is <c>Mail:Host</c>), then the command line (<c>--setting Mail:Host=…</c>).
/// </summary>
public static class AppConfiguration
{
    public const string FileName = "dailypapers.json";
    public const string EnvironmentPrefix = "DAILYPAPERS_";
    /// <summary>The data folder comes before the file inside it, so only the command line and this variable name it.</summary>
    public const string DataDirVariable = EnvironmentPrefix + "DATA_DIR";
    /// <summary>The configuration key of the database (env DAILYPAPERS_DATABASE, option --database).</summary>
    public const string DatabaseKey = "Database";

    /// <summary>The data folder: the one given (--data-dir), else DAILYPAPERS_DATA_DIR, else ./data.</summary>
    public static string DataDir(string? given) =>
        Path.GetFullPath(!string.IsNullOrWhiteSpace(given) ? given
            : Environment.GetEnvironmentVariable(DataDirVariable) is { Length: > 0 } env ? env
            : DatabaseSettings.DefaultDataDir);

    /// <summary>Adds the app's sources, in precedence order, above whatever <paramref name="config"/> already has.</summary>
    /// <param name="commandLine">Settings given on the command line, as KEY=VALUE pairs.</param>
    public static IConfigurationBuilder AddAppSources(this IConfigurationBuilder config, string dataDir, IEnumerable<string> commandLine)
    {
        config.AddJsonFile(Path.Combine(dataDir, FileName), optional: true, reloadOnChange: false);
        config.AddEnvironmentVariables(EnvironmentPrefix);
        config.AddInMemoryCollection(ParsePairs(commandLine));
        return config;
    }

    /// <summary>What the CLI verbs read: the server's sources, without the web host's own.</summary>
    public static IConfigurationRoot Build(string dataDir, IEnumerable<string> commandLine) =>
        new ConfigurationBuilder().AddAppSources(dataDir, commandLine).Build();

    /// <summary>The database named by the configuration (SQLite in the data folder when none is).</summary>
    public static DatabaseSettings Database(string dataDir, IConfiguration config) => DatabaseSettings.Resolve(dataDir, config[DatabaseKey]);

    /// <summary>The one registration of a settings class: bound from its section, validated (attributes and <c>IValidatableObject</c>) at start.</summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services) where T : class, ISettingsSection =>
        services.AddOptions<T>().BindConfiguration(T.Section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>One settings class outside a host (a CLI verb), bound and validated by the same registration as the server's.</summary>
    public static T Get<T>(IConfiguration config) where T : class, ISettingsSection
    {
        var services = new ServiceCollection().AddSingleton(config);
        services.AddSettings<T>();
        using var provider = services.BuildServiceProvider();
        try
        {
            return provider.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new InvalidSettingsException($"invalid {T.Section} settings: {string.Join("; ", ex.Failures)}");
        }
    }

    private static List<KeyValuePair<string, string?>> ParsePairs(IEnumerable<string> pairs)
    {
        var parsed = new List<KeyValuePair<string, string?>>();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new InvalidSettingsException($"a setting is KEY=VALUE, such as Mail:Host=smtp.example.org, not '{pair}'");
            parsed.Add(new(pair[..eq].Trim(), pair[(eq + 1)..]));
        }
        return parsed;
    }
}

/// <summary>Settings that cannot be used, with what is wrong; the CLI prints it, the server refuses to start.</summary>
public sealed class InvalidSettingsException(string message) : Exception(message);

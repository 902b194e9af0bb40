using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using DailyPapers.Settings;

namespace DailyPapers.Tests.Settings;

/// <summary>docs/configuration.md has one row per setting of every settings class, with the default the code has.</summary>
public sealed partial class SettingsTableTests
{
    private static string TablePath => Path.Combine(Cli.CommandScriptTests.RepositoryRoot, "docs", "configuration.md");

    /// <summary>Every settings class of the app: a class that implements <see cref="ISettingsSection"/>.</summary>
    internal static IEnumerable<Type> SettingsClasses() =>
        typeof(AppConfiguration).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(ISettingsSection).IsAssignableFrom(t));

    internal static string SectionOf(Type t) =>
        (string)typeof(SettingsTableTests).GetMethod(nameof(SectionOf), BindingFlags.NonPublic | BindingFlags.Static, [])!.MakeGenericMethod(t).Invoke(null, null)!;

    private static string SectionOf<T>() where T : ISettingsSection => T.Section;

    /// <summary>Each setting as <c>Section:Name</c> and its default written the way the table writes it.</summary>
    internal static Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in SettingsClasses())
        {
            var defaults = Activator.CreateInstance(type)!;
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
                settings[$"{SectionOf(type)}:{p.Name}"] = Format(p.GetValue(defaults));
        }
        return settings;
    }

    internal static string Format(object? value) => value switch
    {
        null or "" => "—",
        string s => s,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm", CultureInfo.InvariantCulture),
        Array { Length: 0 } => "—",
        Array a => string.Join(", ", a.Cast<object>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    [GeneratedRegex(@"^\|\s*`(?<key>[^`]+)`\s*\|\s*(?<default>[^|]*?)\s*\|")]
    private static partial Regex Row();

    private static Dictionary<string, string> Table() =>
        File.ReadLines(TablePath).Select(l => Row().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["default"].Value.Trim('`', ' '), StringComparer.Ordinal);

    [Fact]
    public void EverySettingHasARowWithItsDefault()
    {
        var table = Table();
        var missing = Settings().Where(s => !table.ContainsKey(s.Key)).Select(s => $"| `{s.Key}` | `{s.Value}` | … |").ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md lacks these settings:\n" + string.Join('\n', missing));
        var wrong = Settings().Where(s => table[s.Key] != s.Value).Select(s => $"{s.Key}: the table says '{table[s.Key]}', the code '{s.Value}'").ToList();
        Assert.True(wrong.Count == 0, "docs/configuration.md has other defaults than the code:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void EveryClassBoundFromASectionIsASettingsClass()
    {
        // A class with a Section constant that skips ISettingsSection would escape AddSettings' validation and this table.
        var bypassing = typeof(AppConfiguration).Assembly.GetTypes()
            .Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } && !typeof(ISettingsSection).IsAssignableFrom(t))
            .Select(t => t.FullName).ToList();
        Assert.True(bypassing.Count == 0, "register these through AddSettings<T> (ISettingsSection): " + string.Join(", ", bypassing));
    }

    [Fact]
    public void TheTableNamesNoSettingThatIsGone()
    {
        var sections = SettingsClasses().Select(SectionOf).ToHashSet();
        var settings = Settings();
        var stale = Table().Keys.Where(k => k.Split(':')[0] is var section && sections.Contains(section) && !settings.ContainsKey(k)).ToList();
        Assert.True(stale.Count == 0, "docs/configuration.md lists settings the code no longer has: " + string.Join(", ", stale));
    }
}

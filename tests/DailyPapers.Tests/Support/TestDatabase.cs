using DailyPapers.Data;
using DailyPapers.Web;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DailyPapers.Tests.Support;

/// <summary>A fresh, migrated database on a real engine: a SQLite file, or a new database on the test PostgreSQL server.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Every engine the integration suite runs on.</summary>
    public static TheoryData<string> Engines => new() { Sqlite, Postgres };

    public DatabaseSettings Settings { get; }
    public string DataDir { get; }
    private readonly string? _pgName;

    private TestDatabase(DatabaseSettings settings, string dataDir, string? pgName)
    {
        Settings = settings;
        DataDir = dataDir;
        _pgName = pgName;
    }

    public static async Task<TestDatabase> CreateAsync(string engine)
    {
        var dir = TestEnv.NewTempDir();
        string? pgName = null;
        string? connection = null;
        if (engine == Postgres)
        {
            pgName = "dp_test_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = new NpgsqlConnection(TestEnv.PostgresAdmin))
            {
                await admin.OpenAsync();
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE {pgName}", admin);
                await cmd.ExecuteNonQueryAsync();
            }
            connection = new NpgsqlConnectionStringBuilder(TestEnv.PostgresAdmin) { Database = pgName }.ConnectionString;
        }
        var settings = DatabaseSettings.Resolve(dir, connection);
        await ServerApp.MigrateAsync(settings);
        return new TestDatabase(settings, dir, pgName);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(TestEnv.PostgresAdmin);
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgName} WITH (FORCE)", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}

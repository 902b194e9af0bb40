using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DailyPapers.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Ingest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "harvest_runs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SetSpec = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Pages = table.Column<int>(type: "INTEGER", nullable: false),
                    Read = table.Column<int>(type: "INTEGER", nullable: false),
                    Inserted = table.Column<int>(type: "INTEGER", nullable: false),
                    Updated = table.Column<int>(type: "INTEGER", nullable: false),
                    Unchanged = table.Column<int>(type: "INTEGER", nullable: false),
                    Deleted = table.Column<int>(type: "INTEGER", nullable: false),
                    Rejected = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_harvest_runs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "harvest_states",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SetSpec = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    LastDatestamp = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ResumptionToken = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ListFrom = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ListUntil = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ListMaxDatestamp = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    LastRunAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastSuccessAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_harvest_states", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "hf_daily_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ArxivId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ListDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Rank = table.Column<int>(type: "INTEGER", nullable: false),
                    Upvotes = table.Column<int>(type: "INTEGER", nullable: false),
                    NumComments = table.Column<int>(type: "INTEGER", nullable: true),
                    GithubRepo = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    GithubStars = table.Column<int>(type: "INTEGER", nullable: true),
                    ProjectPage = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Organization = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hf_daily_entries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_harvest_runs_StartedAt",
                table: "harvest_runs",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_harvest_states_Source_SetSpec",
                table: "harvest_states",
                columns: new[] { "Source", "SetSpec" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hf_daily_entries_ArxivId_ListDate",
                table: "hf_daily_entries",
                columns: new[] { "ArxivId", "ListDate" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hf_daily_entries_ListDate",
                table: "hf_daily_entries",
                column: "ListDate");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "harvest_runs");

            migrationBuilder.DropTable(
                name: "harvest_states");

            migrationBuilder.DropTable(
                name: "hf_daily_entries");
        }
    }
}

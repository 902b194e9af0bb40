using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DailyPapers.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IngestHealthAndOpsSamples : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ingest_days",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SetSpec = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Listed = table.Column<int>(type: "INTEGER", nullable: true),
                    Stored = table.Column<int>(type: "INTEGER", nullable: true),
                    Missing = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Pages = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CheckedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingest_days", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ops_samples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TakenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Papers = table.Column<long>(type: "INTEGER", nullable: false),
                    Embedded = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ops_samples", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ingest_days_SetSpec_Day",
                table: "ingest_days",
                columns: new[] { "SetSpec", "Day" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ops_samples_TakenAt",
                table: "ops_samples",
                column: "TakenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ingest_days");

            migrationBuilder.DropTable(
                name: "ops_samples");
        }
    }
}

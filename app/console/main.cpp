// cityops-console: the operator's desktop console. Composition root only.
#include "dashboard/dashboardengine.h"
#include "dashboard/dashboardwidget.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "map/caselayer.h"
#include "map/mapwidget.h"
#include "service/caseservice.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "synccontroller.h"
#include "theme.h"
#include "util/allocator.h"
#include "util/i18n.h"
#include <QElapsedTimer>
#include <QThread>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QInputDialog>
#include <QMessageBox>
#include <QPixmap>
#include <QProcess>
#include <QSettings>
#include <QSysInfo>
#include <QTimer>

#include <cstdio>
#include <vector>

using namespace cityops;

int main(int argc, char *argv[])
{
    keepFreedMemoryForReuse(); // sync moves large pages (util/allocator.h)
    Database::configureLibrary();
    // QGuiApplication would take "--platform URL" as its own platform-plugin option ("-platform"):
    // hand ours to the parser under another name first.
    std::vector<QByteArray> renamed;
    renamed.reserve(size_t(argc)); // argv keeps pointers into these
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--platform" || a.startsWith("--platform=")) {
            renamed.push_back("--platform-url" + a.mid(10));
            argv[i] = renamed.back().data();
        }
    }
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CityOps"));
    QCoreApplication::setApplicationName(QStringLiteral("cityops-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CITYOPS_VERSION));

    // --lang must take effect before any translated text is built, the help included.
    QString lang;
    const QStringList args = QCoreApplication::arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--lang"))
            lang = args.at(i + 1);
        else if (args.at(i).startsWith(QLatin1String("--lang=")))
            lang = args.at(i).mid(7);
    }
    if (!lang.isEmpty() && lang != QLatin1String("zh_CN") && lang != QLatin1String("en")) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(QCoreApplication::translate(
                                    "main", "Unknown language \"%1\"; use zh_CN or en.")
                                    .arg(lang)));
        return 2;
    }
    installTranslations(lang);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "CityOps command and dispatch console."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOpt(
        QStringLiteral("data"),
        QCoreApplication::translate("main", "Data directory (default: %1).")
            .arg(QDir::toNativeSeparators(Database::defaultDataDir())),
        QStringLiteral("DIR"));
    const QCommandLineOption shotOpt(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main", "Render the window at 1600x1000 to a PNG and exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption viewOpt(QStringLiteral("view"),
                                     QCoreApplication::translate("main", "View to show: %1.")
                                         .arg(MainWindow::viewNames().join(QStringLiteral(", "))),
                                     QStringLiteral("NAME"), QStringLiteral("main"));
    const QCommandLineOption langOpt(
        QStringLiteral("lang"),
        QCoreApplication::translate("main", "User-interface language: zh_CN or en (default: the "
                                            "system locale)."),
        QStringLiteral("LANG"));
    const QCommandLineOption themeOpt(QStringLiteral("theme"),
                                      QCoreApplication::translate("main", "Theme: light or dark."),
                                      QStringLiteral("THEME"));
    const QCommandLineOption userOpt(
        QStringLiteral("user"),
        QCoreApplication::translate("main", "Sign in as this user (default: choose at start; "
                                            "screenshots without it are read-only)."),
        QStringLiteral("NAME"));
    const QCommandLineOption platformOpt(
        QStringList{QStringLiteral("platform"), QStringLiteral("platform-url")},
        QCoreApplication::translate("main", "The district platform to sign in to and sync with, "
                                            "e.g. http://127.0.0.1:8080 (remembered; \"none\" "
                                            "forgets it)."),
        QStringLiteral("URL"));
    parser.addOptions({dataOpt, shotOpt, viewOpt, langOpt, themeOpt, userOpt, platformOpt});
    parser.process(app);

    auto fail = [&](const QString &message) {
        std::fprintf(stderr, "cityops-console: %s\n", qPrintable(message));
        if (!parser.isSet(shotOpt))
            QMessageBox::critical(nullptr, QCoreApplication::translate("main", "CityOps"), message);
        return 1;
    };
    const QString view = parser.value(viewOpt);
    if (!MainWindow::viewNames().contains(view))
        return fail(QCoreApplication::translate("main", "Unknown view \"%1\"; use one of: %2.")
                        .arg(view, MainWindow::viewNames().join(QStringLiteral(", "))));
    const QString themeName = parser.value(themeOpt);
    if (!themeName.isEmpty() && themeName != QLatin1String("light") &&
        themeName != QLatin1String("dark"))
        return fail(QCoreApplication::translate("main", "Unknown theme \"%1\"; use light or dark.")
                        .arg(themeName));

    const QString dataDir =
        parser.isSet(dataOpt) ? parser.value(dataOpt) : Database::defaultDataDir();
    auto db = Database::openDir(dataDir);
    if (!db)
        return fail(db.error());
    if (const auto config = WorkflowConfig::load(dataDir); !config)
        return fail(config.error());

    QSettings settings;
    QUrl platform(settings.value(QStringLiteral("sync/platform")).toString());
    if (parser.isSet(platformOpt)) {
        platform = QUrl(parser.value(platformOpt));
        if (parser.value(platformOpt) == QLatin1String("none"))
            platform = QUrl();
        else if (!platform.isValid() || (platform.scheme() != QLatin1String("http") &&
                                         platform.scheme() != QLatin1String("https")))
            return fail(QCoreApplication::translate("main", "--platform needs an http:// or "
                                                            "https:// URL."));
        settings.setValue(QStringLiteral("sync/platform"), platform.toString());
    }
    if (parser.isSet(shotOpt))
        platform = QUrl();

    QString user = parser.value(userOpt);
    bool offlineSession = false;
    if (!platform.isEmpty()) {
        // Signed in against the platform, or offline with the last session.
        LoginDialog login(dataDir, platform);
        if (!user.isEmpty())
            login.userEdit()->setText(user);
        if (login.exec() != QDialog::Accepted)
            return 0;
        user = login.user();
        offlineSession = login.offline();
    } else if (user.isEmpty() && !parser.isSet(shotOpt)) {
        // A standalone cache: the user is chosen here.
        CaseStore store(*db);
        QStringList items;
        const auto users = store.users();
        for (const auto &u : users)
            items << u.second;
        bool ok = false;
        const QString chosen = QInputDialog::getItem(
            nullptr, QCoreApplication::translate("main", "CityOps — sign in"),
            QCoreApplication::translate("main", "User:"), items, 0, false, &ok);
        if (!ok)
            return 0;
        user = users.value(items.indexOf(chosen)).first;
    }
    Actor actor;
    if (!user.isEmpty()) {
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        auto a = CaseService(*db, wf, {})
                     .actorFor(user, QStringLiteral("console-") + QSysInfo::machineHostName());
        if (!a)
            return fail(a.error());
        actor = *a;
    }
    MainWindow window(*db, dataDir, actor);
    if (parser.isSet(shotOpt)) {
        window.setTheme(themeFromKey(themeName));
        window.resize(1600, 1000);
        // The dashboard computes its figures on its worker when its dock first shows: the shot
        // waits for them (or for its error), as long as a large cache may take to load.
        DashboardWidget *dashboard =
            view == QLatin1String("dashboard") ? window.dashboard() : nullptr;
        bool dashboardDone = !dashboard;
        if (dashboard) {
            QObject::connect(dashboard, &DashboardWidget::updated, &window,
                             [&] { dashboardDone = true; });
            QObject::connect(dashboard->engine(), &DashboardEngine::failed, &window,
                             [&] { dashboardDone = true; });
        }
        window.show();
        QCoreApplication::processEvents();
        window.showView(view);
        const QString out = parser.value(shotOpt);
        int rc = 0;
        QTimer::singleShot(0, &window, [&] {
            // Let the map's worker threads finish drawing the layers (at most a few seconds).
            constexpr qint64 kMapWaitMs = 5000, kDashboardWaitMs = 60000;
            QElapsedTimer waited;
            waited.start();
            const auto mapPending = [&] {
                return (window.map()->canvas()->renderPending() ||
                        window.map()->caseLayer()->indexing()) &&
                       waited.elapsed() < kMapWaitMs;
            };
            do {
                QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
                QThread::msleep(5);
            } while (mapPending() || (!dashboardDone && waited.elapsed() < kDashboardWaitMs));
            if (!dashboardDone)
                std::fprintf(stderr, "cityops-console: %s\n",
                             qPrintable(QCoreApplication::translate(
                                            "main", "The dashboard had no figures after %1 s; "
                                                    "the screenshot shows it without them.")
                                            .arg(kDashboardWaitMs / 1000)));
            QCoreApplication::processEvents();
            const QPixmap shot = window.grab();
            if (shot.isNull() || !shot.save(out, "PNG")) {
                std::fprintf(stderr, "cityops-console: %s\n",
                             qPrintable(QCoreApplication::translate(
                                            "main", "Cannot write the screenshot to %1.")
                                            .arg(out)));
                rc = 1;
            }
            QCoreApplication::exit(rc);
        });
        return app.exec() ? 1 : rc;
    }
    std::unique_ptr<SyncController> sync;
    if (!platform.isEmpty()) {
        sync = std::make_unique<SyncController>(window.context(), dataDir, platform);
        sync->install(window);
        sync->start(offlineSession);
        QObject::connect(&window, &MainWindow::rebuildCacheRequested, sync.get(),
                         &SyncController::rebuildCache);
        // The rebuilt cache is a new file: start again on it rather than swap it under every
        // panel, model and worker that holds the old connection.
        QObject::connect(sync.get(), &SyncController::restartRequested, &app, [] {
            QProcess::startDetached(QCoreApplication::applicationFilePath(),
                                    QCoreApplication::arguments().mid(1));
            QCoreApplication::quit();
        });
    }
    window.restoreLayout();
    if (!themeName.isEmpty())
        window.setTheme(themeFromKey(themeName));
    window.show();
    if (view != QLatin1String("main"))
        window.showView(view);
    return app.exec();
}

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Cli</name>
    <message numerus="yes">
        <location filename="../app/cli/security_commands.cpp" line="+116"/>
        <source>Chain verifies: %n line(s) from line %1.</source>
        <translation>
            <numerusform>Chain verifies: %n line from line %1.</numerusform>
            <numerusform>Chain verifies: %n lines from line %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Dossier</name>
    <message numerus="yes">
        <location filename="../models/dossier/dossier.cpp" line="+233"/>
        <source>Audit chain intact: %n event(s) verified.</source>
        <translation>
            <numerusform>Audit chain intact: %n event verified.</numerusform>
            <numerusform>Audit chain intact: %n events verified.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Open311</name>
    <message numerus="yes">
        <location filename="../server/open311.cpp" line="+254"/>
        <source>Too many requests; try again in %n second(s).</source>
        <translation>
            <numerusform>Too many requests; try again in %n second.</numerusform>
            <numerusform>Too many requests; try again in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStore</name>
    <message numerus="yes">
        <location filename="../models/storage/syncapply.cpp" line="+631"/>
        <source>%n command(s) wait to be sent: the cache&apos;s cases are kept until they have been.</source>
        <translation>
            <numerusform>%n command waits to be sent: the cache's cases are kept until it has been.</numerusform>
            <numerusform>%n commands wait to be sent: the cache's cases are kept until they have been.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::ActionDialog</name>
    <message numerus="yes">
        <location filename="../ui/actiondialog.cpp" line="+154"/>
        <source>%1  %2 · %3 · %n open case(s) · %4</source>
        <translation>
            <numerusform>%1  %2 · %3 · %n open case · %4</numerusform>
            <numerusform>%1  %2 · %3 · %n open cases · %4</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::ApprovalsPanel</name>
    <message numerus="yes">
        <location filename="../ui/approvalspanel.cpp" line="+135"/>
        <source>Approve %n request(s)</source>
        <translation>
            <numerusform>Approve %n request</numerusform>
            <numerusform>Approve %n requests</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::DashboardWidget</name>
    <message numerus="yes">
        <location filename="../ui/dashboard/dashboardwidget.cpp" line="+382"/>
        <source>%n case(s) in the period</source>
        <translation>
            <numerusform>%n case in the period</numerusform>
            <numerusform>%n cases in the period</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::MainWindow</name>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="+237"/>
        <source>%n case(s) selected on the map</source>
        <translation>
            <numerusform>%n case selected on the map</numerusform>
            <numerusform>%n cases selected on the map</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::MapCanvas</name>
    <message numerus="yes">
        <location filename="../ui/map/mapcanvas.cpp" line="+510"/>
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n case</numerusform>
            <numerusform>%n cases</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::MapWidget</name>
    <message numerus="yes">
        <location filename="../ui/map/mapwidget.cpp" line="+530"/>
        <source>Loading %n tile(s)…</source>
        <translation>
            <numerusform>Loading %n tile…</numerusform>
            <numerusform>Loading %n tiles…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Offline: %n tile(s) not in the cache</source>
        <translation>
            <numerusform>Offline: %n tile not in the cache</numerusform>
            <numerusform>Offline: %n tiles not in the cache</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::PointLayer</name>
    <message numerus="yes">
        <location filename="../ui/map/pointlayer.cpp" line="+133"/>
        <location line="+2"/>
        <source>Position over %n minute(s) old</source>
        <translation>
            <numerusform>Position over %n minute old</numerusform>
            <numerusform>Position over %n minutes old</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::QueuesPanel</name>
    <message numerus="yes">
        <location filename="../ui/queuespanel.cpp" line="+240"/>
        <source>Map selection: %n case(s) ✕</source>
        <translation>
            <numerusform>Map selection: %n case ✕</numerusform>
            <numerusform>Map selection: %n cases ✕</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+129"/>
        <source>Working through %n case(s)…</source>
        <translation>
            <numerusform>Working through %n case…</numerusform>
            <numerusform>Working through %n cases…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>Apply to %n case(s):</source>
        <translation>
            <numerusform>Apply to %n case:</numerusform>
            <numerusform>Apply to %n cases:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::SecurityLogDialog</name>
    <message numerus="yes">
        <location filename="../ui/securitylogdialog.cpp" line="+157"/>
        <source>%n line(s) shown.</source>
        <translation>
            <numerusform>%n line shown.</numerusform>
            <numerusform>%n lines shown.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%1 The log&apos;s hash chain verifies (%n line(s)).</source>
        <translation>
            <numerusform>%1 The log&apos;s hash chain verifies (%n line).</numerusform>
            <numerusform>%1 The log&apos;s hash chain verifies (%n lines).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::SyncController</name>
    <message numerus="yes">
        <location filename="../ui/synccontroller.cpp" line="+207"/>
        <source>The outbox (%n command(s)) is saved in %1.</source>
        <translation>
            <numerusform>The outbox (%n command) is saved in %1.</numerusform>
            <numerusform>The outbox (%n commands) is saved in %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::SyncEngine</name>
    <message numerus="yes">
        <location filename="../models/sync/syncengine.cpp" line="+239"/>
        <source>%n command(s) of %1 wait to be sent; sync them before signing in as an account with another scope.</source>
        <translation>
            <numerusform>%n command of %1 waits to be sent; sync it before signing in as an account with another scope.</numerusform>
            <numerusform>%n commands of %1 wait to be sent; sync them before signing in as an account with another scope.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::VectorLayer</name>
    <message numerus="yes">
        <location filename="../ui/map/vectorlayer.cpp" line="+177"/>
        <source>%n feature(s)</source>
        <translation>
            <numerusform>%n feature</numerusform>
            <numerusform>%n features</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::platform::PlatformService</name>
    <message numerus="yes">
        <location filename="../server/platformservice.cpp" line="+302"/>
        <source>Too many sign-ins; try again in %n second(s).</source>
        <translation>
            <numerusform>Too many sign-ins; try again in %n second.</numerusform>
            <numerusform>Too many sign-ins; try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Too many failed sign-ins; try again in %n minute(s).</source>
        <translation>
            <numerusform>Too many failed sign-ins; try again in %n minute.</numerusform>
            <numerusform>Too many failed sign-ins; try again in %n minutes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../server/securitylog.cpp" line="+135"/>
        <source>%n more line(s) not written: over %1 a minute</source>
        <translation>
            <numerusform>%n more line not written: over %1 a minute</numerusform>
            <numerusform>%n more lines not written: over %1 a minute</numerusform>
        </translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>cityops::ApprovalsPanel</name>
    <message numerus="yes">
        <location filename="../ui/approvalspanel.cpp" line="+129"/>
        <source>Approve %n request(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cityops::QueuesPanel</name>
    <message numerus="yes">
        <location filename="../ui/queuespanel.cpp" line="+333"/>
        <source>Working through %n case(s)…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+34"/>
        <source>Apply to %n case(s):</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
</TS>
